"""The summary in Slack: a headline without zeros, requests told apart, and within Slack's sizes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from slack_sdk.models.blocks import Block as SlackBlock

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.services.summary import Booking, DailySummary, PersonDay, ProjectDay, Waiting
from app.slack.blocks.summary import build_summary_messages
from tests.factories import a_request

NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)


def waiting(i: int) -> Waiting:
    payload = AllocationPayload(person_id=1, project_id=2, dates=(date(2026, 12, 1),), hours=4)
    request = a_request(
        payload,
        id=f"r{i}",
        status=RequestStatus.PENDING_APPROVAL,
        requester_id="U0R",
        approvers=("U0PM", "U0ACC"),
        created_at=NOW,
        updated_at=NOW,
        attempts=0,
    )
    return Waiting(
        RequestDescription(request, f"Person {i}", f"Project {i}", "4 h a day"), timedelta(hours=30)
    )


def large_company(people: int = 5_000, projects: int = 2_000) -> DailySummary:
    return DailySummary(
        day=date(2026, 11, 23),
        projects=[
            ProjectDay(
                f"Project {p} with a fairly long name",
                f"JO-{p:05d}",
                [Booking(f"Person {p * 10 + i}", 4) for i in range(10)],
            )
            for p in range(projects)
        ],
        people=[PersonDay(f"Person {i}", 4 + i % 8) for i in range(people)],
        idle=[f"Idle person {i}" for i in range(800)],
        pending=[waiting(i) for i in range(120)],
        problems=[],
    )


def test_a_company_too_large_for_one_message_is_split_into_valid_thread_replies() -> None:
    top, details = build_summary_messages(large_company())
    assert len(top.blocks) <= 5
    assert "5,000 people, 37,500 h" in top.text
    assert len(details) > 10
    for message in [top, *details]:
        assert len(message.blocks) <= 50
        assert sum(len(b.get("text", {}).get("text", "")) for b in message.blocks) <= 13_000
        for block in SlackBlock.parse_all(message.blocks):
            assert block is not None
            block.validate_json()
    shown = "\n".join(b["text"]["text"] for m in details for b in m.blocks)
    assert "Project 1999 with a fairly long name (JO-01999)" in shown
    assert "Person 4999" in shown
    assert "Idle person 799" in shown
    assert "Person 7 on Project 7: 4 h on Tue 1 Dec · waiting 1 d 6 h for <@U0PM> or <@U0ACC>" in shown


def test_a_quiet_day_says_so_in_words_without_zeros() -> None:
    top, details = build_summary_messages(DailySummary(day=date(2026, 11, 23)))
    assert top.text == "Staffing on Mon 23 Nov for the company: nothing allocated today"
    assert top.blocks[0]["text"]["text"] == (
        ":calendar: *Staffing on Mon 23 Nov for the company*\nNothing allocated today"
    )
    assert not re.search(r"\b0\b", top.text + str(top.blocks))
    assert details[0].blocks[0]["text"]["text"] == "Nothing is allocated and nothing is waiting."


def test_problems_are_at_the_top() -> None:
    top, _ = build_summary_messages(
        DailySummary(day=date(2026, 11, 23), problems=["Wethod could not be read (503)."])
    )
    assert ":warning: Wethod could not be read (503)." in str(top.blocks)


def people(hours: list[int]) -> list[PersonDay]:
    return [PersonDay(f"Person {i}", h) for i, h in enumerate(hours)]


def test_the_headline_leaves_out_what_is_zero() -> None:
    busy = DailySummary(
        day=date(2026, 11, 23), people=people([8] * 10 + [9, 11]), pending=[waiting(i) for i in range(3)]
    )
    top, _ = build_summary_messages(busy)
    assert top.text == (
        "Staffing on Mon 23 Nov for the company: 12 people, 100 h · 2 over 8 h · 3 approvals waiting"
    )
    assert top.blocks[0]["text"]["text"].endswith("\n12 people, 100 h · 2 over 8 h · 3 approvals waiting")
    calm, _ = build_summary_messages(DailySummary(day=date(2026, 11, 23), people=people([4, 3])))
    assert calm.text.endswith("for the company: 2 people, 7 h")
    for top in (calm, build_summary_messages(busy)[0]):
        assert not re.search(r"\b0\b", top.text + str(top.blocks))


def test_one_person_and_one_approval_are_counted_in_the_singular() -> None:
    top, _ = build_summary_messages(
        DailySummary(day=date(2026, 11, 23), people=people([3]), idle=["Rita"], pending=[waiting(0)])
    )
    assert top.text.endswith(": 1 person, 3 h · 1 with nothing allocated · 1 approval waiting")


def test_unread_allocations_are_not_called_nothing_allocated() -> None:
    top, _ = build_summary_messages(
        DailySummary(day=date(2026, 11, 23), problems=["Wethod could not be read (503)."])
    )
    assert top.text.endswith(": allocations unknown")
    assert "Nothing allocated" not in str(top.blocks)


def delivered(payload: RequestPayload, i: int, subject: str = "Marta Gallo") -> RequestDescription:
    request = a_request(payload, id=f"d{i}", status=RequestStatus.DELIVERED)
    return RequestDescription(request, subject, "Apollo <Website>", "the same words for every allocation")


def test_two_deliveries_are_told_apart_by_their_days_and_hours() -> None:
    first = AllocationPayload(
        person_id=1, project_id=2, dates=(date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)), hours=4
    )
    second = AllocationPayload(person_id=1, project_id=2, dates=(date(2026, 12, 10),), hours=2)
    summary = DailySummary(day=date(2026, 12, 7), finished=[delivered(first, 1), delivered(second, 2)])
    _, details = build_summary_messages(summary)
    (block,) = details[0].blocks
    assert block["text"]["text"] == (
        "*Delivered since the last summary (2)*\n"
        "Marta Gallo on Apollo &lt;Website&gt;: 4 h a day, Mon 7 – Wed 9 Dec\n"
        "Marta Gallo on Apollo &lt;Website&gt;: 2 h on Thu 10 Dec"
    )


def test_whitelist_and_project_person_deliveries_say_what_was_added() -> None:
    person = MissionXProjectPersonPayload(
        project_id="a" * 24, email="ana@acme.example", permission="manager", role_title="<!here> Designer"
    )
    summary = DailySummary(
        day=date(2026, 12, 7),
        finished=[
            delivered(WhitelistPayload(project_id=2, person_id=1), 1),
            delivered(person, 2, subject="ana@acme.example"),
        ],
    )
    shown = build_summary_messages(summary)[1][0].blocks[0]["text"]["text"]
    assert "Marta Gallo on Apollo &lt;Website&gt;: added to the timesheet whitelist" in shown
    added = "ana@acme.example on Apollo &lt;Website&gt;: added with manager access, &lt;!here&gt; Designer"
    assert added in shown
