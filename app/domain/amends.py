"""Undo and Change of a delivered request: what it placed upstream, what may be amended, and the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import AllocationPayload, RequestKind, RequestPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.domain.words import Said, said

AMENDABLE_KINDS = frozenset({RequestKind.ALLOCATION, RequestKind.WHITELIST})
NOT_AMENDABLE_WHY = said(
    "MissionX and Procore document no way to remove a person from a project, so Staffdesk cannot undo it; "
    "remove them in the upstream's own app."
)


def placements_of(request: StaffingRequest) -> tuple[Placement, ...]:
    """What a delivered request left in place upstream, as its result records it.

    A result stored with `placed` says so itself; an older allocation's `upstream_ids` follow its days in
    order; a whitelist entry has its id alone. A request that created nothing (the person was already on
    the whitelist) placed nothing."""
    result = request.result or {}
    if request.status is not RequestStatus.DELIVERED:
        return ()
    placed = result.get("placed")
    if isinstance(placed, list) and placed:
        return tuple(Placement.model_validate(item) for item in placed)
    ids = [str(i) for i in result.get("upstream_ids") or []]  # type: ignore[attr-defined]
    payload = request.payload
    if isinstance(payload, AllocationPayload):
        if len(ids) != len(payload.dates):
            return ()
        return tuple(
            Placement(upstream_id=i, day=d, hours=payload.hours)
            for i, d in zip(ids, payload.dates, strict=True)
        )
    return tuple(Placement(upstream_id=i) for i in ids)


def why_not_amendable(request: StaffingRequest, action: AmendAction) -> Said | None:
    """Why `request` cannot be undone (or changed) now, in plain words; None when it can."""
    undo = action is AmendAction.UNDO
    if request.kind not in AMENDABLE_KINDS:
        return NOT_AMENDABLE_WHY
    if action is AmendAction.CHANGE and request.kind is not RequestKind.ALLOCATION:
        return said("Only an allocation can be changed; undo this one and ask again instead.")
    if (
        action is AmendAction.CHANGE
        and isinstance(request.payload, AllocationPayload)
        and request.payload.also
    ):
        return said("An allocation of several people is not changed at once; undo it and ask again instead.")
    if request.amends is not None and request.amends.action is AmendAction.UNDO:
        return said("This request is an undo; an undo is not undone. Make a new request instead.")
    if request.amended_by is not None:
        return said("This request already has an undo or a change under way or done; see its thread.")
    if request.status is not RequestStatus.DELIVERED:
        status = request.status.words
        if undo:
            return said("Only a delivered request can be undone; this one is {status}.", status=status)
        return said("Only a delivered request can be changed; this one is {status}.", status=status)
    if not placements_of(request):
        if undo:
            return said(
                "This request created nothing in Wethod (it was already there), so nothing can be undone."
            )
        return said(
            "This request created nothing in Wethod (it was already there), so nothing can be changed."
        )
    return None


@dataclass(frozen=True)
class ChangePlan:
    """How a change gets from what was placed to what is asked now, day by day."""

    create: tuple[date, ...]
    delete: tuple[Placement, ...]
    update: tuple[Placement, ...]  # the placements whose hours become the new payload's
    keep: tuple[Placement, ...]


def plan_change(amends: Amendment, after: AllocationPayload) -> ChangePlan:
    """The days to create, the allocations to delete, to set to the new hours, and to keep as they are.

    Another person replaces every allocation; the same person keeps the days asked again (a change keeps
    its project)."""
    previous = amends.previous
    same_person = amends.person_id == after.person_id
    held = {p.day: p for p in previous if p.day is not None} if same_person else {}
    wanted = set(after.dates)
    return ChangePlan(
        create=tuple(d for d in after.dates if d not in held),
        delete=tuple(p for p in previous if not same_person or p.day not in wanted),
        update=tuple(p for d, p in sorted(held.items()) if d in wanted and p.hours != after.hours),
        keep=tuple(p for d, p in sorted(held.items()) if d in wanted and p.hours == after.hours),
    )


def touched(payload: AllocationPayload, amends: Amendment | None) -> AllocationPayload:
    """The allocation whose permissions an amendment needs: its own days and the days it deletes or
    changes (planning.modify_past counts the earliest of them). Not for sending upstream."""
    if amends is None or not amends.previous_days:
        return payload
    days = tuple(sorted(set(payload.dates) | set(amends.previous_days)))
    return payload.model_copy(update={"dates": days})


def ended_without_effect(request: StaffingRequest) -> bool:
    """Whether an amendment ended (rejected, expired, cancelled, or failed before touching anything), so
    that the request it amends may be undone or changed again."""
    if request.status in (RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.CANCELLED):
        return True
    if request.status is not RequestStatus.FAILED:
        return False
    result = request.result or {}
    return not any(result.get(key) for key in ("upstream_ids", "removed", "placed"))


def acted_on(payload: RequestPayload, amends: Amendment | None) -> RequestPayload:
    """What a request's permissions are checked on: its payload, and for an allocation's undo or change
    every day it deletes or changes as well."""
    if isinstance(payload, AllocationPayload):
        return touched(payload, amends)
    return payload


def title_of(request: StaffingRequest) -> Said:
    """The request's kind as a title: "Allocation", or "Undo of an allocation", "Change of an allocation"."""
    if request.amends is None:
        return request.kind.words
    allocation = request.kind is RequestKind.ALLOCATION
    if request.amends.action is AmendAction.UNDO:
        return said("Undo of an allocation") if allocation else said("Undo of a timesheet whitelist entry")
    return said("Change of an allocation") if allocation else said("Change of a timesheet whitelist entry")
