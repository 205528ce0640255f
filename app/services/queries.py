"""Reading requests for the Slack surface: lists, previews, and requests in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.amends import title_of
from app.domain.errors import UpstreamUnavailable
from app.domain.placement import AmendAction
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.domain.words import Joined, Said, Value, said, said_days, said_in_turn, said_n
from app.services.directory_index import DatabaseDirectory, DirectoryReads
from app.services.ports import AllocationReader, UnitOfWorkFactory

FULL_DAY_HOURS = 8


async def get_request(uow_factory: UnitOfWorkFactory, request_id: str) -> StaffingRequest:
    async with uow_factory() as uow:
        return await uow.requests.get(request_id)


async def requests_of(uow_factory: UnitOfWorkFactory, slack_user_id: str) -> list[StaffingRequest]:
    async with uow_factory() as uow:
        return await uow.requests.requested_by(slack_user_id)


async def waiting_for(uow_factory: UnitOfWorkFactory, slack_user_id: str) -> list[StaffingRequest]:
    async with uow_factory() as uow:
        return await uow.requests.waiting_for(slack_user_id)


async def approval_messages(uow_factory: UnitOfWorkFactory, request_id: str) -> list[tuple[str, str, str]]:
    async with uow_factory() as uow:
        return await uow.requests.approval_messages(request_id)


@dataclass(frozen=True)
class DayPreview:
    day: date
    already: int
    adding: int

    @property
    def total(self) -> int:
        return self.already + self.adding

    @property
    def over(self) -> bool:
        return self.total > FULL_DAY_HOURS


async def preview_allocation(
    reader: AllocationReader, person_id: int, days: list[date], hours: int
) -> list[DayPreview]:
    """What each day would hold after the allocation, with the hours the person already has."""
    existing = await reader.hours_by_day(person_id, days)
    return [DayPreview(day, existing.get(day, 0), hours) for day in sorted(days)]


@dataclass(frozen=True)
class RequestDescription:
    """A request in words, with upstream ids replaced by the directory's names; what Staffdesk says of it
    is words said (`Said`), put in each reader's language where it is shown."""

    request: StaffingRequest
    subject: str | Said
    project: str | Said
    details: str | Said
    amended_by: StaffingRequest | None = None  # the undo or change of this request, once asked
    # upstream person id -> name (or words for a person the directory does not know), for Wethod kinds
    people: dict[str, str | Said] = field(default_factory=dict)
    amendment_details: str | Said = ""  # what the change asks for, in words

    @property
    def title(self) -> str | Said:
        """The kind: "Allocation", or "Undo of an allocation" for an undo."""
        return title_of(self.request)


def missionx_details(payload: MissionXProjectPersonPayload) -> Said:
    """The access, the duties, the role and the rate, in words: "manager access, rate 42 per hour"."""
    parts: list[Value] = [payload.permission.words]
    if payload.is_project_manager:
        parts.append(said("project manager duties"))
    if payload.role_title:
        parts.append(payload.role_title)
    if payload.rate is not None:
        exact = Decimal(str(payload.rate))  # an amount of money, written with all its decimals
        rate = exact.to_integral_value() if exact == exact.to_integral_value() else exact.normalize()
        if payload.rate_time:
            parts.append(said("rate {rate} {per}", rate=rate, per=payload.rate_time.words))
        else:
            parts.append(said("rate {rate}", rate=rate))
    return said_in_turn(parts, ", ")


def request_details(request: StaffingRequest) -> Said:
    """What is asked, in words; for an undo or a change, what it takes away or what it was before."""
    amends = request.amends
    if amends is None:
        return _details(request)
    if isinstance(request.payload, WhitelistPayload):
        return said("takes the person off the project's timesheet whitelist")
    days = said_days(amends.previous_days, request.created_at.year)
    each = sorted({p.hours for p in amends.previous if p.hours})
    if each:
        was = said("{hours} h a day, {days}", hours=Joined(tuple(each), "/"), days=days)
    else:
        was = said("the allocations, {days}", days=days)
    if amends.action is AmendAction.UNDO:
        count = len(amends.previous)
        return said_n(
            "deletes {was} ({count} allocation)", "deletes {was} ({count} allocations)", count, was=was
        )
    return said("{details}, instead of {was}", details=_details(request), was=was)


def _details(request: StaffingRequest) -> Said:
    payload = request.payload
    if isinstance(payload, AllocationPayload):
        days = said_days(payload.dates, request.created_at.year)
        if len(payload.dates) == 1:
            return said("{hours} h a day, {days}", hours=payload.hours, days=days)
        return said_n(
            "{hours} h a day, {days} ({count} day)",
            "{hours} h a day, {days} ({count} days)",
            len(payload.dates),
            hours=payload.hours,
            days=days,
        )
    if isinstance(payload, WhitelistPayload):
        return said("may log time on the project even when it is closed to others")
    if isinstance(payload, MissionXProjectPersonPayload):
        return missionx_details(payload)
    employee = said("employee id {id}", id=payload.employee_id) if payload.employee_id else None
    parts = [part for part in (payload.job_title, employee) if part]
    return said_in_turn(parts, ", ") if parts else said("no job title given")


async def describe(
    uow_factory: UnitOfWorkFactory, request: StaffingRequest, directory: DirectoryReads | None = None
) -> RequestDescription:
    (description,) = await describe_all(uow_factory, [request], directory)
    return description


async def describe_all(
    uow_factory: UnitOfWorkFactory,
    requests: Sequence[StaffingRequest],
    directory: DirectoryReads | None = None,
) -> list[RequestDescription]:
    """Each request in words: its project and person from `directory` (the process's index), or else
    from the database."""
    lookups = directory or DatabaseDirectory(uow_factory)
    amending = [r.amended_by for r in requests if r.amended_by]
    amendments: dict[str, StaffingRequest] = {}
    if amending:
        async with uow_factory() as uow:
            amendments = {i: await uow.requests.get(i) for i in amending}
    described = []
    for request in requests:
        desc = await _describe(lookups, request)
        if request.amended_by in amendments:
            amendment = amendments[request.amended_by]
            desc = replace(desc, amended_by=amendment, amendment_details=request_details(amendment))
        described.append(desc)
    return described


async def _describe(lookups: DirectoryReads, request: StaffingRequest) -> RequestDescription:
    payload = request.payload
    upstream = UPSTREAM_OF_KIND[request.kind]
    project = await lookups.project(upstream, str(payload.project_id))
    ids = [str(p) for p in payload.people] if isinstance(payload, AllocationPayload) else []
    if isinstance(payload, WhitelistPayload):
        ids = [str(payload.person_id)]
    found = {p.upstream_id: p.name for p in await lookups.people(upstream, ids)} if ids else {}
    names: dict[str, str | Said] = {
        i: found.get(i) or said("{upstream} person {id}", upstream=upstream.label, id=i) for i in ids
    }
    subject: str | Said
    if isinstance(payload, MissionXProjectPersonPayload):
        subject = payload.email
    elif isinstance(payload, ProcoreProjectPersonPayload):
        subject = " ".join(filter(None, [payload.first_name, payload.last_name]))
    else:
        subject = _listed(list(names.values()))
    project_text: str | Said = (
        project.label
        if project
        else said("{upstream} project {id}", upstream=upstream.label, id=str(payload.project_id))
    )
    return RequestDescription(request, subject, project_text, request_details(request), people=names)


def _listed(names: list[str | Said]) -> str | Said:
    """ "Marta Gallo", "Marta Gallo and Paolo Neri", "Marta Gallo, Paolo Neri and Sara Conti"."""
    if len(names) == 1:
        return names[0]
    return said("{names} and {last}", names=Joined(tuple(names[:-1]), ", "), last=names[-1])


@dataclass(frozen=True)
class ApprovalFacts:
    """What an approver needs besides the request: each day with the hours already there (allocations),
    or why they cannot be shown, and when the request expires."""

    expires_at: datetime
    days: list[DayPreview] | None = None
    days_problem: str | Said | None = None
    each: tuple[tuple[str, list[DayPreview]], ...] = ()  # (person id, days) when several people are asked for


async def approval_facts(
    reader: AllocationReader | None, request: StaffingRequest, expire_after: timedelta
) -> ApprovalFacts:
    expires_at = request.created_at + expire_after
    payload = request.payload
    if not isinstance(payload, AllocationPayload) or reader is None:
        return ApprovalFacts(expires_at)
    try:
        each = [
            (str(p), await preview_allocation(reader, p, list(payload.dates), payload.hours))
            for p in payload.people
        ]
    except UpstreamUnavailable as error:
        problem = said("The hours already allocated cannot be shown: {reason}", reason=error.reason)
        return ApprovalFacts(expires_at, days_problem=problem)
    if len(each) == 1:
        return ApprovalFacts(expires_at, days=each[0][1])
    return ApprovalFacts(expires_at, each=tuple(each))
