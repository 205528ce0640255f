"""The daily summary: the day's allocations by project and person, who is free, and the bot's own day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.errors import UpstreamUnavailable
from app.domain.upstreams import Upstream
from app.domain.words import Said, english, said
from app.services.calendar import MONDAY_TO_FRIDAY, HolidayName, WorkingDays
from app.services.ports import AllocationReader, DayAllocation, UnitOfWorkFactory
from app.services.queries import RequestDescription, describe_all

FULL_DAY = 8


@dataclass(frozen=True)
class Booking:
    name: str | Said
    hours: int


@dataclass(frozen=True)
class ProjectDay:
    name: str | Said
    job_order: str | None
    people: list[Booking]

    @property
    def hours(self) -> int:
        return sum(b.hours for b in self.people)


@dataclass(frozen=True)
class PersonDay:
    name: str | Said
    hours: int

    @property
    def over(self) -> bool:
        return self.hours > FULL_DAY


@dataclass(frozen=True)
class Waiting:
    description: RequestDescription
    age: timedelta


@dataclass(frozen=True)
class DailySummary:
    day: date
    projects: list[ProjectDay] = field(default_factory=list)
    people: list[PersonDay] = field(default_factory=list)
    idle: list[str] = field(default_factory=list)
    finished: list[RequestDescription] = field(default_factory=list)
    pending: list[Waiting] = field(default_factory=list)
    problems: list[Said] = field(default_factory=list)
    digest_for: str | None = None
    holiday: HolidayName | None = None

    @property
    def total_hours(self) -> int:
        return sum(p.hours for p in self.people)

    @property
    def over(self) -> list[PersonDay]:
        return [p for p in self.people if p.over]


def _name(person: DirectoryPerson | None, person_id: int) -> str | Said:
    return person.name if person else said("person {id}", id=str(person_id))


def _sorted_name(named: Booking | ProjectDay | PersonDay) -> str:
    return english(named.name).casefold()


def _group(
    allocations: list[DayAllocation],
    people: dict[str, DirectoryPerson],
    projects: dict[str, DirectoryProject],
) -> tuple[list[ProjectDay], list[PersonDay]]:
    by_project: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_person: dict[int, int] = defaultdict(int)
    for a in allocations:
        by_project[a.project_id][a.person_id] += a.hours
        by_person[a.person_id] += a.hours
    project_days = []
    for project_id, hours in by_project.items():
        project = projects.get(str(project_id))
        bookings = sorted(
            (Booking(_name(people.get(str(p)), p), h) for p, h in hours.items()),
            key=lambda b: english(b.name),
        )
        name = project.name if project else said("project {id}", id=str(project_id))
        project_days.append(ProjectDay(name, project.job_order if project else None, bookings))
    person_days = [PersonDay(_name(people.get(str(p)), p), h) for p, h in by_person.items()]
    return sorted(project_days, key=_sorted_name), sorted(person_days, key=_sorted_name)


async def build_summary(
    uow_factory: UnitOfWorkFactory,
    reader: AllocationReader | None,
    day: date,
    *,
    now: datetime,
    since: datetime,
    pm_person_id: str | None = None,
    approver_id: str | None = None,
    calendar: WorkingDays = MONDAY_TO_FRIDAY,
) -> DailySummary:
    """The whole company's day, or, with `pm_person_id`/`approver_id`, one PM's projects and approvals.
    Nobody is listed as free on a day that is not a working day of `calendar` (a weekend, a holiday); the
    holiday is named in every language, to be read in the reader's."""
    problems: list[Said] = []
    allocations: list[DayAllocation] = []
    if reader is None:
        problems.append(said("Wethod is not configured, so there are no allocations to show."))
    else:
        try:
            allocations = await reader.allocations_on(day)
        except UpstreamUnavailable as error:
            problems.append(
                said(
                    "Wethod could not be read ({reason}), so the allocations are missing.",
                    reason=error.reason,
                )
            )
    async with uow_factory() as uow:
        people = {p.upstream_id: p for p in await uow.directory.all_people(Upstream.WETHOD)}
        projects = {p.upstream_id: p for p in await uow.directory.all_projects(Upstream.WETHOD)}
        finished = await uow.requests.finished_between(since, now)
        pending = await uow.requests.pending()
    if pm_person_id is not None:
        mine = {pid for pid, p in projects.items() if pm_person_id in (p.pm_id, p.account_id)}
        allocations = [a for a in allocations if str(a.project_id) in mine]
        pending = [r for r in pending if approver_id in r.approvers]
        finished = []
    project_days, person_days = _group(allocations, people, projects)
    booked = {str(a.person_id) for a in allocations}
    idle = (
        []
        if pm_person_id is not None or problems or not calendar.is_working(day)
        else sorted(
            (p.name for pid, p in people.items() if pid not in booked and not p.archived), key=str.casefold
        )
    )
    return DailySummary(
        day=day,
        projects=project_days,
        people=person_days,
        idle=idle,
        finished=await describe_all(uow_factory, finished),
        pending=[
            Waiting(desc, now - r.created_at)
            for desc, r in zip(await describe_all(uow_factory, pending), pending, strict=True)
        ],
        problems=problems,
        digest_for=approver_id,
        holiday=calendar.holiday(day),
    )
