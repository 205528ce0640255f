"""The Slack outbox's rules: who may send a notice, what was already posted, when to try again."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from app.domain.notices import Notice
from app.services.heartbeat import Heartbeat
from app.services.ports import Clock, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticePolicy:
    lease: timedelta = timedelta(seconds=60)
    stale_after: timedelta = timedelta(seconds=15)
    batch_size: int = 20
    first_backoff: timedelta = timedelta(seconds=2)
    max_backoff: timedelta = timedelta(seconds=30)
    permanent_tries: int = 5  # a message Slack refuses as it stands is given up after this many tries
    beat_every: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class NoticeFailure:
    """Why sending failed: `permanent` when Slack refused the message itself, not just for now."""

    error: str
    retry_after_seconds: float | None = None
    permanent: bool = False


class NoticeLedger:
    """Claims notices for one worker and records what came of each; every call is its own transaction.
    What came of a notice is one statement each time, written through `one_statement` (units of work for
    a single statement, which may spare the transaction's own round trips) when it is given."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        one_statement: UnitOfWorkFactory | None = None,
        worker_id: str,
        clock: Clock,
        policy: NoticePolicy,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._one_statement = one_statement or uow_factory
        self.worker_id = worker_id
        self._clock = clock
        self.policy = policy
        self._heartbeat = heartbeat or Heartbeat(worker_id, policy.beat_every)

    async def claim(self, request_id: str | None = None) -> list[Notice]:
        """Lease what is due; this worker beats first, so that its own leases are not taken as a dead
        worker's."""
        async with self._uow_factory() as uow:
            now = self._clock()
            async with self._heartbeat.with_claim(uow, now):
                claimed = await uow.notices.claim_due(
                    worker=self.worker_id,
                    now=now,
                    lease=self.policy.lease,
                    stale_after=self.policy.stale_after,
                    limit=self.policy.batch_size,
                    request_id=request_id,
                )
                await uow.commit()
        return claimed

    async def progress(self, notice: Notice, progress: Mapping[str, str]) -> None:
        """Remember what was posted, before anything else is tried."""
        async with self._one_statement() as uow:
            await uow.notices.save_progress(notice.id, self.worker_id, progress)
            await uow.commit()

    async def request_message_posted(self, request_id: str, channel_id: str, ts: str) -> None:
        """Remember where the request's own message is, to update it in place and reply in its thread."""
        async with self._one_statement() as uow:
            await uow.requests.set_message(request_id, channel_id, ts)
            await uow.commit()

    async def approver_asked(self, request_id: str, approver_id: str, channel_id: str, ts: str) -> None:
        """Remember where an approver was asked, so that every copy of the question can show the decision."""
        async with self._one_statement() as uow:
            await uow.requests.add_approval_message(request_id, approver_id, channel_id, ts)
            await uow.commit()

    async def sent(self, notice: Notice) -> None:
        async with self._one_statement() as uow:
            await uow.notices.mark_sent(notice.id, self.worker_id, self._clock())
            await uow.commit()

    async def failed(self, notice: Notice, failure: NoticeFailure) -> bool:
        """Try again later with backoff (never sooner than Slack asked), or give up on a message Slack
        refuses as it stands; True when given up."""
        now = self._clock()
        given_up = failure.permanent and notice.attempts >= self.policy.permanent_tries
        async with self._one_statement() as uow:
            if given_up:
                log.error(
                    "gave up on Slack notice %s (%s) of request %s after %d tries: %s",
                    notice.id,
                    notice.kind,
                    notice.request_id,
                    notice.attempts,
                    failure.error,
                )
                await uow.notices.give_up(notice.id, self.worker_id, now, failure.error)
            else:
                delay = notice_backoff(notice.attempts, failure.retry_after_seconds, self.policy)
                log.warning(
                    "Slack notice %s of request %s not sent (%s); trying again in %.0f s",
                    notice.id,
                    notice.request_id,
                    failure.error,
                    delay.total_seconds(),
                )
                await uow.notices.retry_later(notice.id, self.worker_id, now + delay, failure.error)
            await uow.commit()
        return given_up


def notice_backoff(attempt: int, retry_after_seconds: float | None, policy: NoticePolicy) -> timedelta:
    doublings = min(max(attempt - 1, 0), 16)
    delay = min(policy.first_backoff * (1 << doublings), policy.max_backoff)
    if retry_after_seconds is not None:
        delay = max(delay, timedelta(seconds=retry_after_seconds))
    return delay
