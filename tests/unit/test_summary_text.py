"""The summary in words: days as a person writes them, and the text version of `summary --dry-run`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.dates import days_text
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import AllocationPayload, ProcoreProjectPersonPayload, RequestPayload
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.services.summary import DailySummary, PersonDay, Waiting
from app.services.summary_text import render_summary_text
from tests.factories import a_request

MON = date(2026, 12, 7)


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=n) for n in offsets]


@pytest.mark.parametrize(
    ("chosen", "shown"),
    [
        (days(0), "Mon 7 Dec"),
        (days(0, 1, 2), "Mon 7 – Wed 9 Dec"),
        (days(4, 7, 8), "Fri 11 – Tue 15 Dec"),  # a weekend does not break a run of working days
        (days(0, 2), "Mon 7 Dec, Wed 9 Dec"),  # a day left out does
        (days(-5, -7, -6), "Mon 30 Nov – Wed 2 Dec"),
        (days(24, 25), "Thu 31 Dec – Fri 1 Jan 2027"),
    ],
)
def test_days_are_written_as_a_person_writes_them(chosen: list[date], shown: str) -> None:
    assert days_text(chosen, 2026) == shown


def described(payload: RequestPayload, status: RequestStatus, i: int) -> RequestDescription:
    request = a_request(payload, id=f"r{i}", status=status, approvers=("U0PM",))
    return RequestDescription(request, "Marta Gallo", "Apollo Website", "the same words each time")


def test_the_text_version_tells_each_request_apart_by_outcome() -> None:
    allocation = AllocationPayload(person_id=1, project_id=2, dates=tuple(days(0, 1, 2)), hours=4)
    other = AllocationPayload(person_id=1, project_id=2, dates=tuple(days(3, 4)), hours=2)
    person = ProcoreProjectPersonPayload(project_id=3, last_name="Gallo", job_title="Site engineer")
    summary = DailySummary(
        day=MON,
        people=[PersonDay("Marta Gallo", 6)],
        finished=[
            described(other, RequestStatus.REJECTED, 1),
            described(allocation, RequestStatus.DELIVERED, 2),
            described(other, RequestStatus.DELIVERED, 3),
            described(person, RequestStatus.DELIVERED, 4),
        ],
        pending=[Waiting(described(allocation, RequestStatus.PENDING_APPROVAL, 5), timedelta(minutes=20))],
    )
    text = render_summary_text(summary)
    assert text.startswith("Staffing on Mon 7 Dec for the company: 1 person, 6 h · 1 approval waiting\n")
    assert (
        "Delivered since the last summary (3):\n"
        "  Marta Gallo on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec\n"
        "  Marta Gallo on Apollo Website: 2 h a day, Thu 10 – Fri 11 Dec\n"
        "  Marta Gallo on Apollo Website: added as Site engineer\n"
        "Rejected since the last summary (1):\n"
        "  Marta Gallo on Apollo Website: 2 h a day, Thu 10 – Fri 11 Dec\n"
        "Waiting for approval (1):\n"
        "  Marta Gallo on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec · waiting under an hour for U0PM"
    ) in text


def test_the_text_version_of_a_day_with_nothing_has_no_zeros_and_no_empty_headings() -> None:
    assert render_summary_text(DailySummary(day=MON)) == (
        "Staffing on Mon 7 Dec for the company: nothing allocated today\n"
        "\n"
        "Nothing is allocated and nothing is waiting."
    )


def test_undos_and_changes_are_counted_apart_from_what_was_delivered() -> None:
    before = AllocationPayload(person_id=1, project_id=2, dates=tuple(days(0, 1, 2)), hours=4)
    after = AllocationPayload(person_id=1, project_id=2, dates=tuple(days(0, 1)), hours=6)
    previous = tuple(Placement(upstream_id=f"9{i}", day=d, hours=4) for i, d in enumerate(before.dates))
    undo = Amendment(action=AmendAction.UNDO, of_request="r1", previous=previous, person_id=1)
    change = Amendment(action=AmendAction.CHANGE, of_request="r2", previous=previous, person_id=1)
    undone = a_request(before, id="r3", status=RequestStatus.DELIVERED, amends=undo)
    changed = a_request(after, id="r4", status=RequestStatus.DELIVERED, amends=change)
    summary = DailySummary(
        day=MON,
        finished=[
            described(before, RequestStatus.DELIVERED, 1),
            RequestDescription(undone, "Marta Gallo", "Apollo Website", ""),
            RequestDescription(changed, "Marta Gallo", "Apollo Website", ""),
        ],
    )
    text = render_summary_text(summary)
    assert (
        "Delivered since the last summary (1):\n"
        "  Marta Gallo on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec\n"
        "Undone since the last summary (1):\n"
        "  Marta Gallo on Apollo Website: deletes 4 h a day, Mon 7 – Wed 9 Dec (3 allocations)\n"
        "Changed since the last summary (1):\n"
        "  Marta Gallo on Apollo Website: 6 h a day, Mon 7 – Tue 8 Dec (2 days), instead of 4 h a day, "
        "Mon 7 – Wed 9 Dec"
    ) in text
