"""The states of a staffing request."""

from __future__ import annotations

from enum import StrEnum

from app.domain.words import Said, said


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
        """The state in English, for logs: "pending approval"."""
        return self.value.replace("_", " ")

    @property
    def words(self) -> Said:
        """The state in a word or two, in lower case, for a person: "approved"."""
        return _WORDS[self]

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

_WORDS = {
    RequestStatus.PENDING_APPROVAL: said("pending approval"),
    RequestStatus.APPROVED: said("approved"),
    RequestStatus.DELIVERING: said("delivering"),
    RequestStatus.DELIVERED: said("delivered"),
    RequestStatus.FAILED: said("failed"),
    RequestStatus.REJECTED: said("rejected"),
    RequestStatus.EXPIRED: said("expired"),
    RequestStatus.CANCELLED: said("cancelled"),
}
