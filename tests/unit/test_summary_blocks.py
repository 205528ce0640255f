"""The summary fits Slack whatever the company's size: a short top message, the details in its thread."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from slack_sdk.models.blocks import Block as SlackBlock

from app.domain.requests import AllocationPayload
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
    assert "5000 people allocated" in top.text
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
    assert "waiting for <@U0PM> or <@U0ACC>" in shown


def test_a_quiet_day_still_says_so() -> None:
    top, details = build_summary_messages(DailySummary(day=date(2026, 11, 23)))
    assert "0 people allocated" in top.text
    assert details[0].blocks[0]["text"]["text"] == "Nothing is allocated and nothing is waiting."


def test_problems_are_at_the_top() -> None:
    top, _ = build_summary_messages(
        DailySummary(day=date(2026, 11, 23), problems=["Wethod could not be read (503)."])
    )
    assert ":warning: Wethod could not be read (503)." in str(top.blocks)
