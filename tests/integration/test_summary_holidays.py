"""The daily summary on a public holiday: not posted, and nobody listed as free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.services.calendar import WorkingDays
from app.services.identity import Identities
from app.services.summary import build_summary
from app.services.summary_runs import SummaryContext, due_day, post_due_summaries
from app.services.summary_text import headline
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import FakeSlackPeople, policy, seed_directory
from tests.conftest import FakeClock
from tests.integration.test_summary import ALLOCATIONS, FakePoster, FakeReader

UowFactory = Callable[[], SqlUnitOfWork]
ROME = ZoneInfo("Europe/Rome")
ITALY = WorkingDays("IT")
IMMACOLATA = date(2026, 12, 8)  # a Tuesday
NINE = time(9, 0)
AT_NINE_ON_IMMACOLATA = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # 09:00 in Rome


@pytest.fixture
async def seeded(uow_factory: UowFactory) -> UowFactory:
    await seed_directory(uow_factory, FakeClock())
    return uow_factory


def context(uow_factory: UowFactory, clock: FakeClock, calendar: WorkingDays) -> SummaryContext:
    identities = Identities(uow_factory, FakeSlackPeople(), policy(), clock)
    return SummaryContext(
        uow_factory, FakeReader(), identities, clock, ROME, NINE, "C0SUMMARY", "one", calendar
    )


def test_no_summary_is_due_on_a_holiday_of_the_calendar() -> None:
    assert due_day(AT_NINE_ON_IMMACOLATA, ROME, NINE, ITALY) is None
    assert due_day(AT_NINE_ON_IMMACOLATA, ROME, NINE) == IMMACOLATA
    assert due_day(datetime(2026, 12, 9, 8, 0, tzinfo=UTC), ROME, NINE, ITALY) == date(2026, 12, 9)


async def test_the_summary_is_not_posted_on_a_holiday_and_is_the_next_working_day(seeded: UowFactory) -> None:
    clock = FakeClock(AT_NINE_ON_IMMACOLATA)
    poster = FakePoster()
    assert await post_due_summaries(context(seeded, clock, ITALY), poster) == []
    clock.advance(days=1)
    assert await post_due_summaries(context(seeded, clock, ITALY), poster) == ["C0SUMMARY"]
    assert [summary.day for _, summary in poster.posted] == [date(2026, 12, 9)]


async def test_the_same_day_without_holidays_is_posted(seeded: UowFactory) -> None:
    poster = FakePoster()
    no_holidays = context(seeded, FakeClock(AT_NINE_ON_IMMACOLATA), WorkingDays())
    assert await post_due_summaries(no_holidays, poster) == ["C0SUMMARY"]


async def test_nobody_is_listed_as_free_on_a_holiday_and_the_headline_names_it(seeded: UowFactory) -> None:
    now = AT_NINE_ON_IMMACOLATA
    holiday = await build_summary(
        seeded, FakeReader(ALLOCATIONS), IMMACOLATA, now=now, since=now, calendar=ITALY
    )
    assert holiday.idle == []
    assert holiday.holiday is not None
    assert (holiday.holiday.read_in("it"), holiday.holiday.read_in("en")) == (
        "Immacolata Concezione",
        "Immaculate Conception",
    )
    assert [p.name for p in holiday.people] == ["U0ANA", "U0IRENE", "U0MARTA"]  # who works still shows
    assert str(headline(holiday)) == (
        "Staffing on Tue 8 Dec for the company: a holiday (Immaculate Conception) · 3 people, 20 h · "
        "1 over 8 h"
    )
    quiet = await build_summary(seeded, FakeReader(), IMMACOLATA, now=now, since=now, calendar=ITALY)
    assert str(headline(quiet)) == "Staffing on Tue 8 Dec for the company: a holiday (Immaculate Conception)"
    working = await build_summary(seeded, FakeReader(ALLOCATIONS), IMMACOLATA, now=now, since=now)
    assert (working.idle, working.holiday) == (["U0BRUNO", "U0RITA"], None)
