"""Wethod adapters: allocations and timesheet whitelist entries, and the directory source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from app.clients.errors import Conflict, UpstreamError
from app.clients.wethod.client import WethodClient
from app.clients.wethod.models import NewAllocation
from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, Refused
from app.domain.placement import Placement
from app.domain.requests import AllocationPayload, StaffingRequest, WhitelistPayload
from app.domain.upstreams import Upstream
from app.domain.words import Said, said, said_day, said_n
from app.integrations.outcomes import outcome_for_error, unavailable
from app.integrations.wethod_amend import WethodAmender
from app.services.ports import DayAllocation

WHITELIST_OFF_NOTE = said(
    "note: the project's timesheet whitelist is off in Wethod, so it takes effect only once it is turned on."
)


class WethodAllocationProvisioner:
    """One Wethod allocation per person per day of the request, each created exactly once; a person
    Wethod refuses does not keep the others from being allocated."""

    def __init__(self, client: WethodClient) -> None:
        self._client = client

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        if request.amends is not None:
            return await WethodAmender(self._client).amend(request, attempt=attempt)
        payload = request.payload
        assert isinstance(payload, AllocationPayload)
        placed: list[Placement] = []
        refusals: dict[int, Refused] = {}
        recovered = 0
        for person in payload.people:
            made: list[Placement] = []
            try:
                recovered += await self._allocate(payload, person, made, attempt)
            except UpstreamError as error:
                day = made_day(payload, made)
                outcome = outcome_for_error(error, Upstream.WETHOD, context=said_day(day, day.year))
                if not isinstance(outcome, Refused):
                    return outcome  # tried again later; what was made is found then, not made twice
                refusals[person] = outcome
            placed += made
        return _allocation_outcome(payload, tuple(placed), refusals, all_found=recovered == len(placed))

    async def _allocate(
        self, payload: AllocationPayload, person: int, made: list[Placement], attempt: int
    ) -> int:
        """Create the person's days in order, adding each to `made`; how many were found already made."""
        recovered = 0
        for day in payload.dates:
            new = NewAllocation(
                person_id=person, project_id=payload.project_id, date=day, hours=payload.hours
            )
            result = await self._client.create_allocation(new, look_first=attempt > 1)
            made.append(
                Placement(upstream_id=str(result.value.id), day=day, hours=payload.hours, person_id=person)
            )
            recovered += result.recovered
        return recovered


def made_day(payload: AllocationPayload, made: list[Placement]) -> date:
    """The day being created when a person's allocations stopped: the one after those made."""
    return payload.dates[min(len(made), len(payload.dates) - 1)]


def _allocation_outcome(
    payload: AllocationPayload,
    placed: tuple[Placement, ...],
    refusals: dict[int, Refused],
    *,
    all_found: bool,
) -> DeliveryOutcome:
    ids = tuple(p.upstream_id for p in placed)
    several = len(payload.people) > 1
    if refusals:
        if not several:
            (refused,) = refusals.values()
            return refused.model_copy(update={"upstream_ids": ids, "placed": placed})
        failures = tuple(
            f.model_copy(update={"person_id": person}) for person, r in refusals.items() for f in r.failures
        )
        done = tuple(p for p in payload.people if p not in refusals)
        summary = said(
            "Wethod refused {refused} of the {people} people; the others are allocated.",
            refused=len(refusals),
            people=len(payload.people),
        )
        return Refused(failures=failures, summary=summary, upstream_ids=ids, placed=placed, done_people=done)
    summary = allocated(payload)
    if all_found:
        return AlreadyDone(upstream_ids=ids, summary=summary, placed=placed)
    return Delivered(upstream_ids=ids, summary=summary, placed=placed)


def allocated(payload: AllocationPayload) -> Said:
    """What an allocation made, in words: "Allocated 4 h a day for 3 days in Wethod."."""
    days = said_n("{count} day", "{count} days", len(payload.dates))
    if len(payload.people) > 1:
        return said(
            "Allocated {hours} h a day for {days} to each of {people} people in Wethod.",
            hours=payload.hours,
            days=days,
            people=len(payload.people),
        )
    return said("Allocated {hours} h a day for {days} in Wethod.", hours=payload.hours, days=days)


class WethodWhitelistProvisioner:
    """A timesheet whitelist entry; a 409 means the person is already on it."""

    def __init__(self, client: WethodClient) -> None:
        self._client = client

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        if request.amends is not None:
            return await WethodAmender(self._client).amend(request, attempt=attempt)
        payload = request.payload
        assert isinstance(payload, WhitelistPayload)
        try:
            result = await self._client.add_timesheet_whitelist(
                payload.project_id, payload.person_id, look_first=attempt > 1
            )
        except Conflict:
            already = await self._whitelist_off(payload.project_id)
            if already:
                done = said(
                    "The person was already on the project's timesheet whitelist; {note}",
                    note=WHITELIST_OFF_NOTE,
                )
            else:
                done = said("The person was already on the project's timesheet whitelist.")
            return AlreadyDone(summary=done)
        except UpstreamError as error:
            return outcome_for_error(error, Upstream.WETHOD)
        if await self._whitelist_off(payload.project_id):
            summary = said(
                "Added to the project's timesheet whitelist in Wethod; {note}", note=WHITELIST_OFF_NOTE
            )
        else:
            summary = said("Added to the project's timesheet whitelist in Wethod.")
        if result.recovered:
            return AlreadyDone(upstream_ids=(str(result.value.id),), summary=summary)
        return Delivered(upstream_ids=(str(result.value.id),), summary=summary)

    async def _whitelist_off(self, project_id: int) -> bool:
        """Whether the project's whitelist is off in Wethod now, for a note with what was done.

        Wethod's page says an entry "takes effect only if the whitelist is enabled for the project"; the
        project's `is_timesheet_whitelist_enabled` is read from Wethod at delivery, the freshest word on it.
        The entry is made either way, so a project that cannot be read leaves the note out.
        """
        try:
            project = await self._client.get_project(project_id)
        except UpstreamError:
            return False
        return project.is_timesheet_whitelist_enabled is False


class WethodDirectorySource:
    """Wethod people and projects, read incrementally with `updated_at=gt:`; a long list (a full refresh)
    is read as many pages ahead as the client lets requests be in flight."""

    upstream = Upstream.WETHOD
    incremental = True

    def __init__(self, client: WethodClient) -> None:
        self._client = client

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        try:
            persons = await self._client.list_persons(
                updated_after=since, pages_at_once=self._client.max_in_flight
            )
        except UpstreamError as error:
            raise unavailable(error, Upstream.WETHOD) from None
        return [
            DirectoryPerson(
                upstream=Upstream.WETHOD,
                upstream_id=str(p.id),
                name=p.full_name,
                email=p.email,
                role=p.role,
                archived=p.is_archived,
                updated_at=p.updated_at,
            )
            for p in persons
        ]

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        try:
            projects = await self._client.list_projects(
                updated_after=since, pages_at_once=self._client.max_in_flight
            )
        except UpstreamError as error:
            raise unavailable(error, Upstream.WETHOD) from None
        return [
            DirectoryProject(
                upstream=Upstream.WETHOD,
                upstream_id=str(p.id),
                name=p.name,
                job_order=p.job_order,
                pm_id=str(p.pm_id) if p.pm_id else None,
                account_id=str(p.account_id) if p.account_id else None,
                archived=p.is_archived,
                whitelist_enabled=p.is_timesheet_whitelist_enabled,
                updated_at=p.updated_at,
            )
            for p in projects
        ]


class WethodAllocationReader:
    """The hours a person already has in Wethod on some days (all projects)."""

    def __init__(self, client: WethodClient) -> None:
        self._client = client

    async def hours_by_day(self, person_id: int, days: Sequence[date]) -> dict[date, int]:
        """The hours on each of `days`, read with one `date=<day>` request per day, a few at a time.

        The allocation list documents its `date` filter as a day, `gt:<day>` or `lt:<day>`, nothing more.
        A range would need `gt:` and `lt:` on the same field at once, which the docs do not say Wethod
        combines (a server may keep only one of them), or one bound alone, which brings every later (or
        earlier) allocation of the person, page after page. A day each is exact, one short page each,
        and a request holds few days (at most 31, usually under 10), read four at a time.
        """
        try:
            found = await self._client.list_allocations_by_day(days, person_id=person_id)
        except UpstreamError as error:
            raise unavailable(error, Upstream.WETHOD) from None
        return {day: sum(a.hours for a in rows) for day, rows in found.items()}

    async def allocations_on(self, day: date) -> list[DayAllocation]:
        """The whole company's day (200 pages for 20,000 allocations), read as many pages ahead as the
        client lets requests be in flight (see `WethodClient` for the limits and where they come from)."""
        try:
            allocations = await self._client.list_allocations(
                date=day.isoformat(), pages_at_once=self._client.max_in_flight
            )
        except UpstreamError as error:
            raise unavailable(error, Upstream.WETHOD) from None
        return [
            DayAllocation(person_id=a.person_id, project_id=a.project_id, hours=a.hours)
            for a in allocations
            if a.date == day and a.deleted_at is None
        ]


async def probe_wethod(client: WethodClient) -> tuple[bool, str]:
    """One cheap read, for `staffdesk check`."""
    try:
        me = await client.get_me()
    except UpstreamError as error:
        return False, f"Wethod: {error}"
    return True, f"Wethod: connected as {me.full_name} ({me.role or 'no role'})"
