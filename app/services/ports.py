"""The Protocols the services need; storage and integrations implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypedDict

from app.domain.audit import AuditEntry, DeliveryAttempt
from app.domain.outcomes import DeliveryOutcome
from app.domain.requests import NewRequest, StaffingRequest
from app.domain.status import RequestStatus

Clock = Callable[[], datetime]


class RequestChanges(TypedDict, total=False):
    """Fields a transition may set besides the status."""

    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    result: dict[str, object] | None
    attempts: int


class RequestRepository(Protocol):
    async def add(
        self, new: NewRequest, *, status: RequestStatus, actor: str, now: datetime
    ) -> StaffingRequest:
        """Store a new request in its first state and write its first audit entry."""
        ...

    async def get(self, request_id: str) -> StaffingRequest:
        """The request as stored now; RequestNotFound if there is none."""
        ...

    async def transition(
        self,
        request_id: str,
        *,
        expected: RequestStatus,
        target: RequestStatus,
        actor: str,
        action: str,
        now: datetime,
        detail: Mapping[str, object] | None = None,
        changes: RequestChanges | None = None,
        lease_owner: str | None = None,
    ) -> StaffingRequest:
        """Compare-and-set the status (and the lease owner when given), with an audit entry.

        Raises IllegalTransition, RequestNotFound, RequestMovedOn, or LeaseLost.
        """
        ...

    async def claim_due(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[StaffingRequest]:
        """Lease approved requests that are due, and delivering ones whose lease has expired."""
        ...

    async def renew_lease(self, request_id: str, *, worker: str, now: datetime, lease: timedelta) -> bool:
        """Extend the worker's lease; False when the worker no longer holds it."""
        ...

    async def record_attempt(self, attempt: DeliveryAttempt) -> None: ...

    async def audit_trail(self, request_id: str) -> list[AuditEntry]: ...

    async def delivery_attempts(self, request_id: str) -> list[DeliveryAttempt]: ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on exit unless committed."""

    @property
    def requests(self) -> RequestRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class Provisioner(Protocol):
    """Hands one approved request to its upstream and says what came of it."""

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        """Deliver `request`; `attempt` > 1 means an earlier try may have reached the upstream."""
        ...
