"""The daily summary: when it is due, that it goes out once, what it says, and how it fits in Slack."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import UpstreamUnavailable
from app.domain.requests import AllocationPayload, NewRequest, WhitelistPayload
from app.domain.status import RequestStatus
from app.services.identity import Identities
from app.services.ports import DayAllocation
from app.services.summary import DailySummary, build_summary
from app.services.summary_runs import SummaryContext, due_day, post_due_summaries, set_digest
from app.services.summary_text import render_summary_text
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import FakeSlackPeople, policy, seed_directory
from tests.conftest import FakeClock
from tests.factories import stored

UowFactory = Callable[[], SqlUnitOfWork]
ROME = ZoneInfo("Europe/Rome")
NINE = time(9, 0)
MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 11, 23, 7, 59, tzinfo=UTC), None),  # 08:59 in Rome (CET, UTC+1)
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), date(2026, 11, 23)),
        (datetime(2026, 3, 23, 8, 0, tzinfo=UTC), date(2026, 3, 23)),  # the Monday before summer time
        (datetime(2026, 3, 30, 6, 59, tzinfo=UTC), None),  # summer time (UTC+2): 08:59 in Rome
        (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), date(2026, 3, 30)),  # 09:00 in Rome, an hour earlier in UTC
        (datetime(2026, 10, 26, 7, 59, tzinfo=UTC), None),  # back to winter time
        (datetime(2026, 10, 26, 8, 0, tzinfo=UTC), date(2026, 10, 26)),
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), None),  # Saturday
        (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), None),  # Sunday
        (datetime(2026, 11, 27, 22, 59, tzinfo=UTC), date(2026, 11, 27)),  # Friday 23:59 in Rome
        (datetime(2026, 11, 27, 23, 0, tzinfo=UTC), None),  # ... and Saturday 00:00 there
    ],
)
def test_the_summary_is_due_at_its_company_time_on_working_days_across_daylight_saving(
    instant: datetime, expected: date | None
) -> None:
    assert due_day(instant, ROME, NINE) == expected


@dataclass
class FakeReader:
    allocations: list[DayAllocation] = field(default_factory=list)
    failing: bool = False
    asked: list[date] = field(default_factory=list)

    async def hours_by_day(self, person_id: int, days: Sequence[date]) -> dict[date, int]:
        return {}

    async def allocations_on(self, day: date) -> list[DayAllocation]:
        self.asked.append(day)
        if self.failing:
            raise UpstreamUnavailable("Wethod", "answered 503: maintenance")
        return list(self.allocations)


@dataclass
class FakePoster:
    posted: list[tuple[str, DailySummary]] = field(default_factory=list)
    hold: asyncio.Event | None = None
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, destination: str, summary: DailySummary) -> str:
        self.called.set()
        if self.hold is not None:
            await self.hold.wait()
        self.posted.append((destination, summary))
        return f"{len(self.posted)}.0001"


def context(
    uow_factory: UowFactory,
    clock: FakeClock,
    reader: FakeReader,
    worker: str = "replica-1",
    channel: str | None = "C0SUMMARY",
) -> SummaryContext:
    identities = Identities(uow_factory, FakeSlackPeople(), policy(), clock)
    return SummaryContext(uow_factory, reader, identities, clock, ROME, NINE, channel, worker)


ALLOCATIONS = [
    DayAllocation(person_id=1, project_id=1000, hours=6),
    DayAllocation(person_id=1, project_id=1001, hours=4),
    DayAllocation(person_id=20, project_id=1000, hours=8),
    DayAllocation(person_id=9, project_id=1001, hours=2),
]


@pytest.fixture
async def seeded(uow_factory: UowFactory) -> UowFactory:
    await seed_directory(uow_factory, FakeClock())
    return uow_factory


async def test_the_summary_groups_the_day_by_project_and_person_and_flags_over_eight(
    seeded: UowFactory,
) -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    summary = await build_summary(seeded, FakeReader(ALLOCATIONS), MONDAY, now=now, since=now)
    assert [(p.name, [(b.name, b.hours) for b in p.people]) for p in summary.projects] == [
        ("Apollo Website", [("U0ANA", 6), ("U0MARTA", 8)]),
        ("Borealis App", [("U0ANA", 4), ("U0IRENE", 2)]),
    ]
    assert [(p.name, p.hours, p.over) for p in summary.people] == [
        ("U0ANA", 10, True),
        ("U0IRENE", 2, False),
        ("U0MARTA", 8, False),
    ]
    assert summary.idle == ["U0BRUNO", "U0RITA"]
    text = render_summary_text(summary)
    assert "██████████ 10 h  U0ANA  ⚠ over 8 h" not in text  # the bar stops at 8: full, then the flag
    assert "████████ 10 h  U0ANA  ⚠ over 8 h" in text
    assert "██░░░░░░  2 h  U0IRENE" in text


async def test_when_wethod_fails_the_summary_still_says_what_it_could_not_read(seeded: UowFactory) -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    summary = await build_summary(seeded, FakeReader(failing=True), MONDAY, now=now, since=now)
    assert [str(problem) for problem in summary.problems] == [
        "Wethod could not be read (answered 503: maintenance), so the allocations are missing."
    ]
    assert summary.projects == []
    assert summary.idle == []  # not "everyone is free": nobody knows


async def test_deliveries_since_the_last_summary_are_told_apart_by_their_days_and_hours(
    seeded: UowFactory,
) -> None:
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    week = tuple(date(2026, 12, d) for d in (7, 8, 9))
    for payload in (
        AllocationPayload(person_id=20, project_id=1000, dates=week, hours=4),
        AllocationPayload(person_id=20, project_id=1000, dates=(date(2026, 12, 10),), hours=2),
        WhitelistPayload(project_id=1001, person_id=20),
    ):
        new = NewRequest(payload=payload, requester_id="U0RITA")
        await stored(seeded, now - timedelta(hours=1), new, status=RequestStatus.DELIVERED)
    summary = await build_summary(
        seeded, FakeReader(ALLOCATIONS), date(2026, 12, 7), now=now, since=now - timedelta(days=1)
    )
    assert (
        "Delivered since the last summary (3):\n"
        "  U0MARTA on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec\n"
        "  U0MARTA on Apollo Website: 2 h on Thu 10 Dec\n"
        "  U0MARTA on Borealis App: added to the timesheet whitelist"
    ) in render_summary_text(summary)


async def test_the_channel_summary_goes_out_once_a_day(seeded: UowFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    poster, reader = FakePoster(), FakeReader(ALLOCATIONS)
    ctx = context(seeded, clock, reader)
    assert await post_due_summaries(ctx, poster) == []
    clock.advance(minutes=30)
    assert await post_due_summaries(ctx, poster) == ["C0SUMMARY"]
    clock.advance(minutes=1)
    assert await post_due_summaries(ctx, poster) == []
    clock.advance(days=1)
    assert await post_due_summaries(ctx, poster) == ["C0SUMMARY"]
    assert [s.day for _, s in poster.posted] == [MONDAY, date(2026, 11, 24)]


async def test_two_replicas_racing_for_the_same_day_post_it_once(seeded: UowFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    poster = FakePoster()
    replicas = [context(seeded, clock, FakeReader(ALLOCATIONS), worker=f"replica-{i}") for i in range(4)]
    results = await asyncio.gather(*(post_due_summaries(r, poster) for r in replicas))
    assert sorted(map(len, results)) == [0, 0, 0, 1]
    assert len(poster.posted) == 1


async def test_a_restart_after_the_time_posts_the_missed_summary_the_same_day_only(
    seeded: UowFactory,
) -> None:
    poster = FakePoster()
    later = FakeClock(datetime(2026, 11, 23, 15, 40, tzinfo=UTC))  # the bot was down at 09:00
    assert await post_due_summaries(
        context(seeded, later, FakeReader(ALLOCATIONS), worker="after-restart"), poster
    ) == ["C0SUMMARY"]
    next_morning = FakeClock(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    assert await post_due_summaries(context(seeded, next_morning, FakeReader(), worker="next"), poster) == []
    assert len(poster.posted) == 1


async def test_a_claim_left_by_a_replica_that_died_is_taken_over_after_its_lease(seeded: UowFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    stuck = FakePoster(hold=asyncio.Event())
    dying = asyncio.create_task(
        post_due_summaries(context(seeded, clock, FakeReader(), worker="dying"), stuck)
    )
    await stuck.called.wait()  # it claimed the day and is posting when it dies
    dying.cancel()
    poster = FakePoster()
    survivor = context(seeded, clock, FakeReader(), worker="survivor")
    assert await post_due_summaries(survivor, poster) == []  # the lease still holds
    clock.advance(minutes=11)
    assert await post_due_summaries(survivor, poster) == ["C0SUMMARY"]


async def test_a_pm_who_opted_in_gets_a_digest_of_their_projects_and_approvals(seeded: UowFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    poster = FakePoster()
    ctx = context(seeded, clock, FakeReader(ALLOCATIONS), channel=None)
    await set_digest(ctx, "U0BRUNO", True)
    await set_digest(ctx, "U0IRENE", True)
    await set_digest(ctx, "U0IRENE", False)
    assert await post_due_summaries(ctx, poster) == ["digest:U0BRUNO"]
    ((destination, digest),) = poster.posted
    assert destination == "U0BRUNO"
    assert [p.name for p in digest.projects] == ["Borealis App"]  # Bruno is the PM of Borealis only
    assert digest.digest_for == "U0BRUNO"
