"""Undo and change in Wethod: delete or update exactly what a request placed, looking before each touch.

Wethod documents `DELETE /api/people-allocations/{id}` (soft: the row keeps a `deleted_at`),
`PATCH /api/people-allocations/{id}` (only `hours` may change) and `DELETE /api/timesheet-whitelists/{id}`,
each answering 404 for an id it does not hold. There is no documented read of one allocation by id, so
an allocation is looked at in its person's day, listed with `deleted=include`.

Each touch is looked before: an allocation already gone (deleted in Wethod, or by an earlier try whose
answer was lost) counts as removed; one whose hours are no longer what Staffdesk recorded was changed in
Wethod since, and is reported and left as it is, never overwritten. So an attempt can be repeated any
number of times and ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from app.clients.errors import UpstreamError
from app.clients.wethod.client import WethodClient
from app.clients.wethod.models import NewAllocation
from app.domain.amends import plan_change
from app.domain.outcomes import Delivered, DeliveryOutcome, Refused
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import AllocationPayload, StaffingRequest, WhitelistPayload
from app.domain.upstreams import Upstream
from app.domain.words import Days, Joined, Said, Value, said, said_day, said_days, said_in_turn, said_n
from app.integrations.outcomes import outcome_for_error


class Found(Enum):
    AS_PLACED = "as placed"
    GONE = "gone"
    CHANGED = "changed"


@dataclass
class _Effects:
    """What an attempt has done so far, for the outcome and for a refusal half-way."""

    year: int
    attempt: int
    placed: list[Placement] = field(default_factory=list)
    removed: list[Placement] = field(default_factory=list)
    gone: list[Placement] = field(default_factory=list)
    left: list[tuple[Placement, int]] = field(default_factory=list)  # with the hours Wethod has now

    def outcome(self, done: Said) -> Delivered:
        placed = tuple(sorted(self.placed, key=lambda p: (p.day or date.min, p.upstream_id)))
        told = [done, *self._gone_words(), *self._left_words()]
        return Delivered(
            upstream_ids=tuple(p.upstream_id for p in placed),
            placed=placed,
            removed=self._removed_ids(),
            left=tuple(p.upstream_id for p, _ in self.left),
            summary=done if len(told) == 1 else said_in_turn(told, " "),
        )

    def refused(self, error: UpstreamError, context: Value | None) -> DeliveryOutcome:
        outcome = outcome_for_error(error, Upstream.WETHOD, context=context)
        if not isinstance(outcome, Refused):
            return outcome  # tried again later, from the start: every touch looks first
        return outcome.model_copy(update={"placed": tuple(self.placed), "removed": self._removed_ids()})

    def _removed_ids(self) -> tuple[str, ...]:
        return tuple(p.upstream_id for p in [*self.removed, *self.gone])

    def _gone_words(self) -> list[Said]:
        if not self.gone:
            return []
        return [said("Already gone from Wethod: {days}.", days=self._days(self.gone))]

    def _left_words(self) -> list[Said]:
        if not self.left:
            return []
        each = tuple(
            said(
                "{days} has {now} h, not the {hours} h Staffdesk made",
                days=self._days([p]),
                now=now,
                hours=p.hours or 0,
            )
            for p, now in self.left
        )
        return [
            said(
                "Left as they are, because they were changed in Wethod since: {each}. See to them in Wethod.",
                each=Joined(each, "; "),
            )
        ]

    def _days(self, placements: list[Placement]) -> Days:
        return said_days([p.day for p in placements if p.day is not None], self.year)


class WethodAmender:
    """Undo an allocation or a whitelist entry, or change an allocation, as recorded by its request."""

    def __init__(self, client: WethodClient) -> None:
        self._client = client

    async def amend(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        amends, payload = request.amends, request.payload
        assert amends is not None
        effects = _Effects(request.created_at.year, attempt)
        if isinstance(payload, WhitelistPayload):
            return await self._undo_whitelist(payload, amends, effects)
        assert isinstance(payload, AllocationPayload)
        if amends.action is AmendAction.UNDO:
            return await self._undo_allocations(payload, amends, effects)
        return await self._change(payload, amends, effects, attempt)

    async def _look(self, placed: Placement, person_id: int) -> tuple[Found, int]:
        assert placed.day is not None
        row = await self._client.allocation_on(int(placed.upstream_id), placed.day, person_id)
        if row is None or row.deleted_at is not None:
            return Found.GONE, 0
        if row.hours != placed.hours:
            return Found.CHANGED, row.hours
        return Found.AS_PLACED, row.hours

    async def _remove(self, placed: Placement, person_id: int, effects: _Effects) -> None:
        found, hours = await self._look(placed, person_id)
        if found is Found.CHANGED:
            effects.left.append((placed, hours))
        elif found is Found.GONE and effects.attempt == 1:
            effects.gone.append(placed)  # deleted in Wethod before Staffdesk came to it
        elif found is Found.GONE:
            effects.removed.append(placed)  # most likely by an earlier try whose answer was lost
        else:
            await self._client.delete_allocation(int(placed.upstream_id))  # False: deleted, answer lost
            effects.removed.append(placed)

    async def _undo_allocations(
        self, payload: AllocationPayload, amends: Amendment, effects: _Effects
    ) -> DeliveryOutcome:
        for placed in amends.previous:
            try:
                await self._remove(placed, placed.person_id or amends.person_id or payload.person_id, effects)
            except UpstreamError as error:
                day = None if placed.day is None else said_day(placed.day, effects.year)
                return effects.refused(error, context=day)
        count = len(effects.removed) + len(effects.gone)
        if not count:
            return effects.outcome(said("Nothing deleted."))
        return effects.outcome(
            said_n("Deleted {count} allocation in Wethod.", "Deleted {count} allocations in Wethod.", count)
        )

    async def _undo_whitelist(
        self, payload: WhitelistPayload, amends: Amendment, effects: _Effects
    ) -> DeliveryOutcome:
        (placed,) = amends.previous
        try:
            rows = await self._client.list_timesheet_whitelists(
                project_id=payload.project_id, person_id=payload.person_id
            )
            ours = any(str(row.id) == placed.upstream_id for row in rows)
            if ours and await self._client.delete_timesheet_whitelist(int(placed.upstream_id)):
                effects.removed.append(placed)
                return effects.outcome(said("Taken off the project's timesheet whitelist in Wethod."))
        except UpstreamError as error:
            return effects.refused(error, context=said("whitelist"))
        effects.gone.append(placed)
        if any(str(row.id) != placed.upstream_id for row in rows):
            return effects.outcome(
                said(
                    "The person was already off the project's timesheet whitelist (added again since, by "
                    "someone else: that entry is kept)."
                )
            )
        return effects.outcome(said("The person was already off the project's timesheet whitelist."))

    async def _change(
        self, payload: AllocationPayload, amends: Amendment, effects: _Effects, attempt: int
    ) -> DeliveryOutcome:
        plan = plan_change(amends, payload)
        effects.placed.extend(plan.keep)
        try:
            for placed in plan.delete:
                await self._remove(placed, placed.person_id or amends.person_id or payload.person_id, effects)
            for placed in plan.update:
                await self._set_hours(placed, payload, effects, attempt)
            for day in plan.create:
                await self._create(day, payload, effects, attempt)
        except UpstreamError as error:
            return effects.refused(error, context=said("change"))
        return effects.outcome(
            said(
                "Changed in Wethod: now {hours} h a day, {days}.",
                hours=payload.hours,
                days=said_days(payload.dates, effects.year),
            )
        )

    async def _set_hours(
        self, placed: Placement, payload: AllocationPayload, effects: _Effects, attempt: int
    ) -> None:
        found, hours = await self._look(placed, payload.person_id)
        if found is Found.CHANGED and hours != payload.hours:
            effects.left.append((placed, hours))
            return
        if found is Found.GONE:
            assert placed.day is not None
            await self._create(placed.day, payload, effects, attempt)
            return
        if found is Found.AS_PLACED:
            await self._client.update_allocation_hours(int(placed.upstream_id), payload.hours)
        effects.placed.append(placed.model_copy(update={"hours": payload.hours}))

    async def _create(self, day: date, payload: AllocationPayload, effects: _Effects, attempt: int) -> None:
        new = NewAllocation(
            person_id=payload.person_id, project_id=payload.project_id, date=day, hours=payload.hours
        )
        created = await self._client.create_allocation(new, look_first=attempt > 1)
        effects.placed.append(Placement(upstream_id=str(created.value.id), day=day, hours=payload.hours))
