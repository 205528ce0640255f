"""Reading requests for the Slack surface: lists, previews, and requests in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from app.domain.amends import title_of
from app.domain.dates import days_text
from app.domain.errors import UpstreamUnavailable
from app.domain.placement import AmendAction
from app.domain.requests import (
    PROJECT_MANAGER_DUTIES,
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.upstreams import UPSTREAM_OF_KIND
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
    """A request in words, with upstream ids replaced by the directory's names."""

    request: StaffingRequest
    subject: str
    project: str
    details: str
    amended_by: StaffingRequest | None = None  # the undo or change of this request, once asked
    people: dict[str, str] = field(default_factory=dict)  # upstream person id -> name, for Wethod kinds
    amendment_details: str = ""  # what the change asks for, in words

    @property
    def title(self) -> str:
        """The kind: "Allocation", or "Undo of an allocation" for an undo."""
        return title_of(self.request)


def missionx_details(payload: MissionXProjectPersonPayload) -> str:
    """The access, the duties, the role and the rate, in words: "manager access, 42 per hour"."""
    parts = [payload.permission.label]
    if payload.is_project_manager:
        parts.append(PROJECT_MANAGER_DUTIES)
    if payload.role_title:
        parts.append(payload.role_title)
    if payload.rate is not None:
        parts.append(f"rate {payload.rate:g}" + (f" {payload.rate_time.label}" if payload.rate_time else ""))
    return ", ".join(parts)


def request_details(request: StaffingRequest) -> str:
    """What is asked, in words; for an undo or a change, what it takes away or what it was before."""
    amends = request.amends
    if amends is None:
        return _details(request)
    if isinstance(request.payload, WhitelistPayload):
        return "takes the person off the project's timesheet whitelist"
    year = request.created_at.year
    each = sorted({p.hours for p in amends.previous if p.hours})
    hours = f"{'/'.join(map(str, each))} h a day" if each else "the allocations"
    was = f"{hours}, {days_text(amends.previous_days, year)}"
    if amends.action is AmendAction.UNDO:
        count = len(amends.previous)
        return f"deletes {was} ({count} allocation{'s' if count != 1 else ''})"
    return f"{_details(request)}, instead of {was}"


def _details(request: StaffingRequest) -> str:
    payload = request.payload
    if isinstance(payload, AllocationPayload):
        count = f" ({len(payload.dates)} days)" if len(payload.dates) > 1 else ""
        return f"{payload.hours} h a day, {days_text(payload.dates, request.created_at.year)}{count}"
    if isinstance(payload, WhitelistPayload):
        return "may log time on the project even when it is closed to others"
    if isinstance(payload, MissionXProjectPersonPayload):
        return missionx_details(payload)
    employee = f"employee id {payload.employee_id}" if payload.employee_id else None
    return ", ".join(filter(None, [payload.job_title, employee])) or "no job title given"


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
    names = {i: found.get(i, f"{upstream.label} person {i}") for i in ids}
    if isinstance(payload, MissionXProjectPersonPayload):
        subject = payload.email
    elif isinstance(payload, ProcoreProjectPersonPayload):
        subject = " ".join(filter(None, [payload.first_name, payload.last_name]))
    else:
        subject = _listed(list(names.values()))
    project_text = f"{upstream.label} project {payload.project_id}" if project is None else project.label
    return RequestDescription(request, subject, project_text, request_details(request), people=names)


def _listed(names: list[str]) -> str:
    """ "Marta Gallo", "Marta Gallo and Paolo Neri", "Marta Gallo, Paolo Neri and Sara Conti"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class ApprovalFacts:
    """What an approver needs besides the request: each day with the hours already there (allocations),
    or why they cannot be shown, and when the request expires."""

    expires_at: datetime
    days: list[DayPreview] | None = None
    days_problem: str | None = None
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
        return ApprovalFacts(
            expires_at, days_problem=f"The hours already allocated cannot be shown: {error.reason}"
        )
    if len(each) == 1:
        return ApprovalFacts(expires_at, days=each[0][1])
    return ApprovalFacts(expires_at, each=tuple(each))
