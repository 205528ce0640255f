"""Read models of the audit trail and of delivery attempts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.domain.status import RequestStatus


class AuditEntry(BaseModel):
    """One append-only line of a request's history: when, who, what, and the detail."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    at: datetime
    actor: str
    action: str
    from_status: RequestStatus | None
    to_status: RequestStatus
    detail: dict[str, object]


class DeliveryAttempt(BaseModel):
    """One try at handing an approved request to its upstream."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    number: int
    worker: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    detail: dict[str, object]
