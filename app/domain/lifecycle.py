"""The only transitions between a staffing request's states."""

from __future__ import annotations

from app.domain.errors import IllegalTransition
from app.domain.status import RequestStatus

# Every legal (from, to) pair. DELIVERING -> DELIVERING is a worker reclaiming an expired lease;
# DELIVERING -> APPROVED puts a request back in the outbox for a later attempt.
LEGAL_TRANSITIONS: frozenset[tuple[RequestStatus, RequestStatus]] = frozenset(
    {
        (RequestStatus.PENDING_APPROVAL, RequestStatus.APPROVED),
        (RequestStatus.PENDING_APPROVAL, RequestStatus.REJECTED),
        (RequestStatus.PENDING_APPROVAL, RequestStatus.EXPIRED),
        (RequestStatus.PENDING_APPROVAL, RequestStatus.CANCELLED),
        (RequestStatus.APPROVED, RequestStatus.DELIVERING),
        (RequestStatus.DELIVERING, RequestStatus.DELIVERING),
        (RequestStatus.DELIVERING, RequestStatus.APPROVED),
        (RequestStatus.DELIVERING, RequestStatus.DELIVERED),
        (RequestStatus.DELIVERING, RequestStatus.FAILED),
    }
)


def check_transition(current: RequestStatus, target: RequestStatus) -> None:
    """Raise IllegalTransition unless current -> target is part of the life cycle."""
    if (current, target) not in LEGAL_TRANSITIONS:
        raise IllegalTransition(current, target)
