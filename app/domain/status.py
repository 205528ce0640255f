"""The states of a staffing request and the only transitions between them."""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import IllegalTransition


class RequestStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES: frozenset[RequestStatus] = frozenset(
    {
        RequestStatus.DELIVERED,
        RequestStatus.FAILED,
        RequestStatus.REJECTED,
        RequestStatus.EXPIRED,
        RequestStatus.CANCELLED,
    }
)

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
