"""This week's hours, day by day, of the people on the Wethod projects someone runs as PM or Account."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from app.domain.errors import UpstreamUnavailable
from app.domain.upstreams import Upstream
from app.domain.words import Said, english, said
from app.services.calendar import MONDAY_TO_FRIDAY, HolidayName, WorkingDays
from app.services.identity import Identities
from app.services.ports import AllocationReader, DayAllocation, UnitOfWorkFactory
from app.services.queries import FULL_DAY_HOURS

MAX_PEOPLE = 20
READ_WITHIN_SECONDS = 5.0
WORKING_DAYS = 5

NOT_SET_UP = said("Wethod is not set up in Staffdesk, so there are no hours to show.")
RUNS_NOTHING = said("You are not the PM or Account of a Wethod project, so there is no team to show.")
TOO_SLOW = said("Wethod did not answer in time.")


@dataclass(frozen=True)
class PersonWeek:
    """One person's hours on each day of the week, on every project."""

    name: str | Said
    hours: tuple[int, ...]

    @property
    def over(self) -> bool:
        return any(h > FULL_DAY_HOURS for h in self.hours)


@dataclass(frozen=True)
class TeamWeek:
    """The grid, or in `missing` (one line) why there is none; `left_out` people did not fit; `holidays`
    are the public holidays among `days`, named in every language."""

    days: tuple[date, ...]
    people: tuple[PersonWeek, ...] = ()
    left_out: int = 0
    missing: Said | None = None
    holidays: Mapping[date, HolidayName] = field(default_factory=dict)


def working_week(today: date) -> tuple[date, ...]:
    """Monday to Friday of the week `today` is in."""
    monday = today - timedelta(days=today.weekday())
    return tuple(monday + timedelta(days=offset) for offset in range(WORKING_DAYS))


async def team_week(
    uow_factory: UnitOfWorkFactory,
    reader: AllocationReader | None,
    identities: Identities,
    slack_user_id: str,
    today: date,
    *,
    within: float = READ_WITHIN_SECONDS,
    calendar: WorkingDays = MONDAY_TO_FRIDAY,
) -> TeamWeek:
    """The week of the people allocated on the viewer's projects, with the holidays of `calendar` in it;
    Wethod is read for at most `within` seconds, and a failure to read it is told in `missing`, never
    raised."""
    days = working_week(today)
    holidays = holidays_in(days, calendar)
    if reader is None:
        return TeamWeek(days, missing=NOT_SET_UP, holidays=holidays)
    _, person_id = await identities.link(slack_user_id, Upstream.WETHOD)
    projects = await _projects_run_by(uow_factory, person_id) if person_id else set()
    if not projects:
        return TeamWeek(days, missing=RUNS_NOTHING, holidays=holidays)
    try:
        async with asyncio.timeout(within):
            found = await _allocations_of(reader, days)
    except UpstreamUnavailable as error:
        return TeamWeek(days, missing=_not_shown(error.reason), holidays=holidays)
    except TimeoutError:
        return TeamWeek(days, missing=_not_shown(TOO_SLOW), holidays=holidays)
    team = {str(a.person_id) for allocations in found for a in allocations if str(a.project_id) in projects}
    async with uow_factory() as uow:
        people = await uow.directory.get_people(Upstream.WETHOD, sorted(team))
    grid = week_grid(days, found, projects, {p.upstream_id: p.name for p in people})
    return replace(grid, holidays=holidays)


def holidays_in(days: Sequence[date], calendar: WorkingDays) -> dict[date, HolidayName]:
    """The public holidays of `calendar` among `days`."""
    found = ((day, calendar.holiday(day)) for day in days)
    return {day: holiday for day, holiday in found if holiday is not None}


def _not_shown(reason: str | Said) -> Said:
    return said("This week's hours cannot be shown: {reason}", reason=reason)


async def _projects_run_by(uow_factory: UnitOfWorkFactory, person_id: str) -> set[str]:
    async with uow_factory() as uow:
        projects = await uow.directory.all_projects(Upstream.WETHOD)
    return {p.upstream_id for p in projects if person_id in (p.pm_id, p.account_id)}


async def _allocations_of(reader: AllocationReader, days: Sequence[date]) -> list[list[DayAllocation]]:
    """Each day's allocations, the days read at once; the first failure, once every read has ended."""
    found = await asyncio.gather(*(reader.allocations_on(day) for day in days), return_exceptions=True)
    failures = [result for result in found if isinstance(result, BaseException)]
    if failures:
        raise failures[0]
    return [result for result in found if not isinstance(result, BaseException)]


def week_grid(
    days: tuple[date, ...],
    found: Sequence[Sequence[DayAllocation]],
    projects: set[str],
    names: dict[str, str],
    limit: int = MAX_PEOPLE,
) -> TeamWeek:
    """Everyone with hours on one of `projects` (Wethod ids) on some day, with their hours on all projects
    each day; at most `limit` people, those over 8 hours on a day first, then shown by name."""
    hours: dict[int, list[int]] = {
        a.person_id: [0] * len(days)
        for allocations in found
        for a in allocations
        if str(a.project_id) in projects
    }
    for index, allocations in enumerate(found):
        for allocation in allocations:
            if allocation.person_id in hours:
                hours[allocation.person_id][index] += allocation.hours
    everyone = [
        PersonWeek(names.get(str(person)) or said("Wethod person {id}", id=str(person)), tuple(day_hours))
        for person, day_hours in hours.items()
    ]
    kept = sorted(everyone, key=lambda p: (not p.over, _by_name(p)))[:limit]
    return TeamWeek(days, tuple(sorted(kept, key=_by_name)), len(everyone) - len(kept))


def _by_name(person: PersonWeek) -> str:
    return english(person.name).casefold()
