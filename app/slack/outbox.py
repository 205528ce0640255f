"""The Slack outbox sender: what Slack shows as a request moves, sent once Slack answers, never twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from slack_sdk.errors import SlackApiError

from app.domain.errors import StorageUnavailable
from app.domain.notices import Notice
from app.domain.requests import StaffingRequest
from app.observability import SLACK_NOTICES
from app.services import queries
from app.services.directory_index import DirectoryReads
from app.services.notices import NoticeFailure, NoticeLedger
from app.services.ports import UnitOfWorkFactory
from app.slack.outbox_steps import NoticeSteps
from app.slack.people import LocaleLookup
from app.slack.poster import SlackPoster
from app.slack.readers import Readers

log = logging.getLogger(__name__)
MAX_NOTICES_AT_ONCE = 10
SENDING_AT_ONCE = 4  # sends of this process at one time: the rest wait, leaving the event loop to acks
# Slack errors that say the message or its place is wrong as it stands; anything else is tried again.
_REFUSED = {
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "no_text",
    "too_many_attachments",
    "invalid_arguments",
    "channel_not_found",
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
    "user_not_found",
    "cannot_dm_bot",
    "user_disabled",
}


def failure_of(error: Exception) -> NoticeFailure:
    """What a failed Web API call means for the outbox: try again (when), or refused as it stands."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        code = str(error.response.get("error") or f"HTTP {status}")
        if status == 429:
            retry_after = error.response.headers.get("Retry-After") or error.response.headers.get(
                "retry-after"
            )
            return NoticeFailure(f"rate limited ({code})", float(retry_after) if retry_after else None)
        return NoticeFailure(code, permanent=status < 500 and code in _REFUSED)
    if isinstance(error, StorageUnavailable):
        return NoticeFailure("the database is unavailable")
    if isinstance(error, OSError | asyncio.TimeoutError):
        return NoticeFailure(f"Slack could not be reached ({type(error).__name__})")
    return NoticeFailure(f"unexpected {type(error).__name__}", permanent=True)


class SlackOutbox:
    """Sends stored notices; safe in several processes at once (each notice is leased to one)."""

    def __init__(
        self,
        poster: SlackPoster,
        ledger: NoticeLedger,
        reading: UnitOfWorkFactory,
        wake: asyncio.Event | None = None,
        operators: tuple[str, ...] = (),
        facts: Callable[[StaffingRequest], Awaitable[queries.ApprovalFacts]] | None = None,
        directory: DirectoryReads | None = None,
        sending_at_once: int = SENDING_AT_ONCE,
        locales: LocaleLookup | None = None,
        channel_language: str = "en",
    ) -> None:
        readers = Readers(locales, channel_language)  # who reads each message, in which language
        self._steps = NoticeSteps(poster, ledger, reading, readers, operators, facts, directory)
        self._sending = asyncio.Semaphore(sending_at_once)
        self.waiting = 0  # sends waiting for their turn
        self._in_flight: dict[str, asyncio.Future[bool]] = {}  # request id: how its notices went
        self.ledger = ledger
        self.wake = wake or asyncio.Event()  # set when this process stores a notice

    async def send_due(self) -> int:
        """Send every notice that is due now; returns how many were claimed."""
        async with self._turn():
            claimed = await self.ledger.claim()
            await self._send_all(claimed)
        return len(claimed)

    async def send_for(self, request_id: str) -> bool:
        """Send this request's notices now, one after the other; False when one is left for the outbox
        loop to retry. Notices this process is already sending for the request (the loop took them first)
        are waited for, so the answer says how they went too."""
        try:
            for _ in range(MAX_NOTICES_AT_ONCE):
                async with self._turn():
                    claimed = await self.ledger.claim(request_id)
                    if claimed and not await self._send_all(claimed):
                        return False
                if not claimed:
                    elsewhere = self._in_flight.get(request_id)
                    if elsewhere is None:
                        return True
                    if not await asyncio.shield(elsewhere):
                        return False
        except Exception:
            log.exception("the notices of request %s are left for the outbox loop", request_id)
            return False
        return True

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """One of the few sends this process makes at a time; the others wait here, holding nothing."""
        self.waiting += 1
        try:
            await self._sending.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._sending.release()

    async def _send_all(self, notices: list[Notice]) -> bool:
        """Each claimed notice is the oldest one owed for its request. While they are sent, a `send_for`
        of one of their requests waits for how that request's notices went."""
        mine: dict[str, asyncio.Future[bool]] = {}
        for notice in notices:
            if notice.request_id not in self._in_flight:
                mine[notice.request_id] = self._in_flight[notice.request_id] = (
                    asyncio.get_running_loop().create_future()
                )
        went: dict[str, bool] = {}
        try:
            for notice in notices:
                sent = await self._send(notice)
                went[notice.request_id] = went.get(notice.request_id, True) and sent
        finally:
            for request_id, outcome in mine.items():
                del self._in_flight[request_id]
                outcome.set_result(went.get(request_id, False))
        return all(went.values())

    async def _send(self, notice: Notice) -> bool:
        try:
            await self._perform(notice)
        except Exception as error:
            if not isinstance(error, SlackApiError | StorageUnavailable):
                log.exception("Slack notice %s of request %s raised", notice.id, notice.request_id)
            given_up = await self.ledger.failed(notice, failure_of(error))
            SLACK_NOTICES.labels("given_up" if given_up else "retried").inc()
            return False
        await self.ledger.sent(notice)
        SLACK_NOTICES.labels("sent").inc()
        return True

    async def _perform(self, notice: Notice) -> None:
        await self._steps.perform(notice)
