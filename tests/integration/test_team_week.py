"""This week's hours for the people on the projects someone runs, read from the directory and an
allocation reader, with every reason for showing no grid told in one line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pytest

from app.domain.errors import UpstreamUnavailable
from app.services.identity import Identities
from app.services.ports import DayAllocation
from app.services.team_week import NOT_SET_UP, RUNS_NOTHING, PersonWeek, TeamWeek, team_week, working_week
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import FakeSlackPeople, policy, seed_directory
from tests.conftest import FakeClock

UowFactory = Callable[[], SqlUnitOfWork]
WEDNESDAY = date(2026, 11, 25)
WEEK = working_week(WEDNESDAY)


@dataclass
class FakeReader:
    """Allocations by day; `failing` raises as the Wethod adapter does, `stuck` never answers."""

    by_day: dict[date, list[DayAllocation]] = field(default_factory=dict)
    failing: bool = False
    stuck: bool = False
    asked: list[date] = field(default_factory=list)

    async def hours_by_day(self, person_id: int, days: Sequence[date]) -> dict[date, int]:
        return {}

    async def allocations_on(self, day: date) -> list[DayAllocation]:
        self.asked.append(day)
        if self.stuck:
            await asyncio.Event().wait()
        if self.failing:
            raise UpstreamUnavailable("Wethod", "answered 503: maintenance")
        return self.by_day.get(day, [])


@pytest.fixture
async def seeded(uow_factory: UowFactory) -> UowFactory:
    await seed_directory(uow_factory, FakeClock())
    return uow_factory


async def week_of(seeded: UowFactory, reader: FakeReader | None, user: str, within: float = 5.0) -> TeamWeek:
    identities = Identities(seeded, FakeSlackPeople(), policy(), FakeClock())
    return await team_week(seeded, reader, identities, user, WEDNESDAY, within=within)


async def test_a_pm_sees_the_people_on_their_projects_with_their_hours_on_every_project(
    seeded: UowFactory,
) -> None:
    reader = FakeReader(
        {
            WEEK[0]: [DayAllocation(20, 1000, 6), DayAllocation(20, 1001, 4), DayAllocation(2, 1001, 8)],
            WEEK[2]: [DayAllocation(20, 1000, 4)],
        }
    )
    week = await week_of(seeded, reader, "U0ANA")
    assert week.people == (PersonWeek("U0MARTA", (10, 0, 4, 0, 0)),)
    assert week.missing is None
    assert sorted(reader.asked) == list(WEEK)


async def test_an_account_sees_the_projects_they_are_account_of(seeded: UowFactory) -> None:
    reader = FakeReader({WEEK[1]: [DayAllocation(20, 1000, 8), DayAllocation(2, 1001, 8)]})
    week = await week_of(seeded, reader, "U0IRENE")
    assert [p.name for p in week.people] == ["U0BRUNO", "U0MARTA"]


async def test_someone_who_runs_no_project_gets_one_line_and_wethod_is_not_read(seeded: UowFactory) -> None:
    reader = FakeReader({WEEK[0]: [DayAllocation(20, 1000, 8)]})
    for user in ("U0MARTA", "U0NOBODY"):
        week = await week_of(seeded, reader, user)
        assert week.people == ()
        assert week.missing == RUNS_NOTHING
    assert reader.asked == []


async def test_without_wethod_there_is_one_line_saying_it_is_not_set_up(seeded: UowFactory) -> None:
    week = await week_of(seeded, None, "U0ANA")
    assert week.missing == NOT_SET_UP


async def test_a_wethod_that_cannot_be_read_is_one_line_not_an_error(seeded: UowFactory) -> None:
    week = await week_of(seeded, FakeReader(failing=True), "U0ANA")
    assert str(week.missing) == "This week's hours cannot be shown: answered 503: maintenance"


async def test_a_wethod_that_does_not_answer_in_time_is_one_line(seeded: UowFactory) -> None:
    week = await week_of(seeded, FakeReader(stuck=True), "U0ANA", within=0.05)
    assert str(week.missing) == "This week's hours cannot be shown: Wethod did not answer in time."
