"""Deliver approved requests from the outbox: claim under a lease, provision, record, reschedule."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.audit import DeliveryAttempt
from app.domain.errors import LeaseLost, RequestMovedOn
from app.domain.notices import NoticeKind
from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, NeedsOperator, Refused, RetryLater
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.domain.words import said
from app.services.heartbeat import Heartbeat
from app.services.ports import Clock, Provisioner, RequestChanges, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    lease: timedelta = timedelta(minutes=2)
    batch_size: int = 10
    max_attempts: int = 12
    first_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)
    beat_every: timedelta = timedelta(seconds=5)
    stale_after: timedelta = timedelta(seconds=15)  # a lease whose holder is this silent is taken over


def backoff_delay(attempt: int, retry_after_seconds: float | None, policy: DeliveryPolicy) -> timedelta:
    """Exponential delay after the `attempt`-th try, never shorter than what the upstream asked for."""
    doublings = min(max(attempt - 1, 0), 20)
    exponential = policy.first_backoff * (1 << doublings)
    delay = min(exponential, policy.max_backoff)
    if retry_after_seconds is not None:
        delay = max(delay, timedelta(seconds=retry_after_seconds))
    return delay


@dataclass(frozen=True)
class DeliveryReport:
    """One attempt's outcome and the request as it stands afterwards (None when the lease was lost)."""

    request_id: str
    attempt: int
    outcome: DeliveryOutcome
    request: StaffingRequest | None


def _notice_detail(request: StaffingRequest, outcome: DeliveryOutcome) -> dict[str, object]:
    """What Slack is told of this attempt: the outcome, the state it left, which attempt it was, and when
    the request is tried again."""
    again = request.next_attempt_at if request.status is RequestStatus.APPROVED else None
    return {
        "outcome": outcome.model_dump(mode="json"),
        "status": request.status.value,
        "attempt": request.attempts,
        "next_attempt_at": again.isoformat() if again else None,
    }


_DONE_FIELDS: RequestChanges = {"lease_owner": None, "lease_expires_at": None}


class DeliveryWorker:
    """Claims due requests and delivers each; safe to run in several processes at once."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        provisioner: Provisioner,
        *,
        worker_id: str,
        clock: Clock,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._provisioner = provisioner
        self.worker_id = worker_id
        self._clock = clock
        self.policy = policy or DeliveryPolicy()
        self.heartbeat = Heartbeat(worker_id, self.policy.beat_every)

    async def beat(self) -> None:
        """Tell the other workers this one is alive, so that its leases are not taken over."""
        async with self._uow_factory() as uow:
            await self.heartbeat.beat(uow, self._clock())

    async def run_once(self) -> list[DeliveryReport]:
        """Claim what is due now and deliver it; returns one report per claimed request."""
        async with self._uow_factory() as uow:
            now = self._clock()
            async with self.heartbeat.with_claim(uow, now):
                claimed = await uow.requests.claim_due(
                    worker=self.worker_id,
                    now=now,
                    lease=self.policy.lease,
                    limit=self.policy.batch_size,
                    stale_after=self.policy.stale_after,
                )
                await uow.commit()
        return list(await asyncio.gather(*(self._deliver(request) for request in claimed)))

    async def _deliver(self, request: StaffingRequest) -> DeliveryReport:
        started_at = self._clock()
        renewer = asyncio.create_task(self._keep_lease(request.id))
        try:
            outcome = await self._provisioner.provision(request, attempt=request.attempts)
        except Exception as exc:
            log.exception("delivery of request %s raised; it will be retried", request.id)
            reason = said("unexpected {error} while delivering", error=type(exc).__name__)
            outcome = RetryLater(reason=reason)
        finally:
            renewer.cancel()
        return await self._record(request, outcome, started_at)

    async def _keep_lease(self, request_id: str) -> None:
        """Renew the lease at a third of its length while the provisioner works."""
        interval = self.policy.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            async with self._uow_factory() as uow:
                held = await uow.requests.renew_lease(
                    request_id, worker=self.worker_id, now=self._clock(), lease=self.policy.lease
                )
                await uow.commit()
            if not held:
                return

    async def _record(
        self, request: StaffingRequest, outcome: DeliveryOutcome, started_at: datetime
    ) -> DeliveryReport:
        now = self._clock()
        target, changes = self._next_state(request, outcome, now)
        detail = outcome.model_dump(mode="json")
        async with self._uow_factory() as uow:
            await uow.requests.record_attempt(
                DeliveryAttempt(
                    request_id=request.id,
                    number=request.attempts,
                    worker=self.worker_id,
                    started_at=started_at,
                    finished_at=now,
                    outcome=outcome.outcome,
                    detail=detail,
                )
            )
            updated: StaffingRequest | None
            try:
                updated = await uow.requests.transition(
                    request.id,
                    expected=RequestStatus.DELIVERING,
                    target=target,
                    actor=self.worker_id,
                    action=outcome.outcome,
                    now=now,
                    detail=detail,
                    changes=changes,
                    lease_owner=self.worker_id,
                )
            except (LeaseLost, RequestMovedOn) as lost:
                log.warning("attempt %s on request %s recorded, but %s", request.attempts, request.id, lost)
                updated = None
            if updated is not None:
                await uow.notices.add(
                    request.id, NoticeKind.DELIVERY, now=now, detail=_notice_detail(updated, outcome)
                )
            if updated is not None and updated.amends is not None and updated.status.is_final:
                by = {"by": updated.id, "done": updated.status is RequestStatus.DELIVERED}
                await uow.notices.add(updated.amends.of_request, NoticeKind.AMENDED, now=now, detail=by)
            await uow.commit()
        return DeliveryReport(
            request_id=request.id, attempt=request.attempts, outcome=outcome, request=updated
        )

    def _next_state(
        self, request: StaffingRequest, outcome: DeliveryOutcome, now: datetime
    ) -> tuple[RequestStatus, RequestChanges]:
        result = outcome.model_dump(mode="json")
        if isinstance(outcome, Delivered | AlreadyDone):
            return RequestStatus.DELIVERED, {**_DONE_FIELDS, "next_attempt_at": None, "result": result}
        if isinstance(outcome, Refused):
            return RequestStatus.FAILED, {**_DONE_FIELDS, "next_attempt_at": None, "result": result}
        assert isinstance(outcome, RetryLater | NeedsOperator)
        if request.attempts >= self.policy.max_attempts:
            result["gave_up_after_attempts"] = request.attempts
            return RequestStatus.FAILED, {**_DONE_FIELDS, "next_attempt_at": None, "result": result}
        retry_after = outcome.retry_after_seconds if isinstance(outcome, RetryLater) else None
        next_at = now + backoff_delay(request.attempts, retry_after, self.policy)
        return RequestStatus.APPROVED, {**_DONE_FIELDS, "next_attempt_at": next_at, "result": result}
