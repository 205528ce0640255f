"""The Slack outbox sender: what Slack shows as a request moves, sent once Slack answers, never twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime

from pydantic import TypeAdapter
from slack_sdk.errors import SlackApiError

from app.domain.errors import StorageUnavailable
from app.domain.notices import Notice, NoticeKind
from app.domain.outcomes import DeliveryOutcome, NeedsOperator
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.observability import SLACK_NOTICES
from app.services import queries
from app.services.directory_index import DirectoryReads
from app.services.notices import NoticeFailure, NoticeLedger
from app.services.ports import UnitOfWorkFactory
from app.slack.blocks.amends import build_amended_reply
from app.slack.blocks.common import SlackMessage
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
)
from app.slack.blocks.nudges import build_added_message, build_reminder_dm
from app.slack.blocks.requester import (
    build_added_dm,
    build_decision_dm,
    build_operator_message,
    build_outcome_dm,
)
from app.slack.poster import SlackPoster

log = logging.getLogger(__name__)
MAX_NOTICES_AT_ONCE = 10
_OUTCOME = TypeAdapter[DeliveryOutcome](DeliveryOutcome)
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
    ) -> None:
        self._directory = directory
        self._operators = operators
        self._facts = facts
        self._poster = poster
        self.ledger = ledger
        self._reading = reading
        self.wake = wake or asyncio.Event()  # set when this process stores a notice

    async def send_due(self) -> int:
        """Send every notice that is due now; returns how many were claimed."""
        claimed = await self.ledger.claim()
        await self._send_all(claimed)
        return len(claimed)

    async def send_for(self, request_id: str) -> bool:
        """Send this request's notices now, one after the other; False when one is left for the outbox
        loop to retry."""
        try:
            for _ in range(MAX_NOTICES_AT_ONCE):
                claimed = await self.ledger.claim(request_id)
                if not claimed:
                    return True
                if not await self._send_all(claimed):
                    return False
        except Exception:
            log.exception("the notices of request %s are left for the outbox loop", request_id)
            return False
        return True

    async def _send_all(self, notices: list[Notice]) -> bool:
        """Each claimed notice is the oldest one owed for its request."""
        results = [await self._send(notice) for notice in notices]
        return all(results)

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
        request = await queries.get_request(self._reading, notice.request_id)
        if notice.kind is NoticeKind.SUBMITTED:
            await self._submitted(request)
            return
        if notice.kind is NoticeKind.REMINDED:
            await self._remind(notice, request)
            return
        if notice.kind is NoticeKind.APPROVERS_ADDED:
            await self._approvers_added(notice, request)
            return
        if notice.kind is NoticeKind.AMENDED:
            await self._amended(notice, request)
            return
        desc = await self._refresh(request)
        # The reply tells of the change as it was then, even when the request has moved on since.
        status = RequestStatus(str(notice.detail.get("status", request.status.value)))
        then = replace(desc, request=request.model_copy(update={"status": status}))
        if notice.kind is NoticeKind.DECIDED:
            notice = await self._reply_once(notice, request, build_decision_reply(then))
            await self._dm_requester_once(notice, request, build_decision_dm(then, status))
            return
        await self._delivery_reported(notice, request, then)

    async def _delivery_reported(
        self, notice: Notice, request: StaffingRequest, then: queries.RequestDescription
    ) -> None:
        """The thread hears every attempt; the requester each outcome; the operators a wrong setting."""
        outcome = _OUTCOME.validate_python(notice.detail["outcome"])
        again = notice.detail.get("next_attempt_at")
        upstream = UPSTREAM_OF_KIND[request.kind].label
        final = then.request.status is RequestStatus.FAILED
        reply = build_outcome_reply(
            then,
            outcome,
            upstream=upstream,
            next_attempt_at=datetime.fromisoformat(str(again)) if again else None,
        )
        notice = await self._reply_once(notice, request, reply)
        first_of_its_kind = notice.detail.get("attempt") == 1 or final
        if isinstance(outcome, NeedsOperator) and not first_of_its_kind:
            return
        if isinstance(outcome, NeedsOperator):
            message = build_operator_message(then, outcome, upstream=upstream)
            notice = await self._tell_operators_once(notice, message)
        told = bool(self._operators)
        dm = build_outcome_dm(then, outcome, upstream=upstream, final=final, operators_told=told)
        await self._dm_requester_once(notice, request, dm)

    async def _dm_requester_once(
        self, notice: Notice, request: StaffingRequest, message: SlackMessage | None
    ) -> Notice:
        if message is None or "dm" in notice.progress or request.message_ts is None:
            return notice  # a request without a message of its own already had its reply by DM
        _, ts = await self._poster.dm(request.requester_id, message)
        return await self._progressed(notice, dm=ts)

    async def _tell_operators_once(self, notice: Notice, message: SlackMessage) -> Notice:
        for destination in self._operators:
            key = f"operators:{destination}"
            if key in notice.progress:
                continue
            ts = await self._poster.to(destination, message)
            notice = await self._progressed(notice, **{key: ts})
        if not self._operators:
            log.error("an upstream needs an administrator; set STAFFDESK_OPERATORS to tell them in Slack")
        return notice

    async def _progressed(self, notice: Notice, **posted: str) -> Notice:
        progress = _with(notice.progress, **posted)
        await self.ledger.progress(notice, progress)
        return notice.model_copy(update={"progress": progress})

    async def _submitted(self, request: StaffingRequest) -> None:
        """The request's message and one question per approver, each posted once."""
        desc = await queries.describe(self._reading, request, self._directory)
        if request.message_ts is None:
            channel, ts = await self._poster.post_request_message(request, build_request_message(desc))
            await self.ledger.request_message_posted(request.id, channel, ts)
            request = request.model_copy(update={"channel_id": channel, "message_ts": ts})
            desc = replace(desc, request=request)
        asked = {approver for approver, _, _ in await queries.approval_messages(self._reading, request.id)}
        question = build_approval_message(desc, await self._approval_facts(request))
        for approver in request.approvers:
            if approver in asked:
                continue
            dm_channel, dm_ts = await self._poster.dm(approver, question)
            await self.ledger.approver_asked(request.id, approver, dm_channel, dm_ts)

    async def _remind(self, notice: Notice, request: StaffingRequest) -> None:
        """Each approver reminded once, pointing at the question they were asked; none once decided."""
        if request.status is not RequestStatus.PENDING_APPROVAL:
            return
        desc = await queries.describe(self._reading, request, self._directory)
        facts = await self._approval_facts(request)
        waited = float(str(notice.detail.get("waited_hours", 0)))
        reminded = set(_names(notice.detail.get("approvers")))
        for approver, channel, ts in await queries.approval_messages(self._reading, request.id):
            key = f"remind:{approver}"
            if key in notice.progress or approver not in reminded:
                continue
            link = await self._poster.permalink(channel, ts)
            message = build_reminder_dm(desc, link, waited, facts.expires_at if facts else None)
            _, posted = await self._poster.dm(approver, message)
            notice = await self._progressed(notice, **{key: posted})

    async def _approvers_added(self, notice: Notice, request: StaffingRequest) -> None:
        """The question to each approver added, then the word of who was added in the thread and to the
        requester; nothing once the request is decided."""
        if request.status is not RequestStatus.PENDING_APPROVAL:
            return
        await self._submitted(request)
        why, added = str(notice.detail.get("why")), _names(notice.detail.get("added"))
        in_place = notice.detail.get("in_place_of")
        in_place_of = in_place if isinstance(in_place, dict) else None
        notice = await self._reply_once(notice, request, build_added_message(why, added, in_place_of))
        desc = await queries.describe(self._reading, request, self._directory)
        await self._dm_requester_once(notice, request, build_added_dm(desc, why, added, in_place_of))

    async def _amended(self, notice: Notice, request: StaffingRequest) -> None:
        """The request's message shows its undo or change; once done, its thread says so, and its
        requester hears it when someone else amended it."""
        desc = await self._refresh(request)
        reply = build_amended_reply(desc) if notice.detail.get("done") else None
        if reply is None:
            return
        notice = await self._reply_once(notice, request, reply)
        if desc.amended_by is not None and desc.amended_by.requester_id != request.requester_id:
            await self._dm_requester_once(notice, request, reply)

    async def _approval_facts(self, request: StaffingRequest) -> queries.ApprovalFacts | None:
        """What the approvers see besides the request, while it waits for them."""
        if self._facts is None or request.status is not RequestStatus.PENDING_APPROVAL:
            return None
        return await self._facts(request)

    async def _refresh(self, request: StaffingRequest) -> queries.RequestDescription:
        """Every copy of the request shows its state now (updates can be made any number of times)."""
        desc = await queries.describe(self._reading, request, self._directory)
        if request.channel_id and request.message_ts:
            await self._poster.update(request.channel_id, request.message_ts, build_request_message(desc))
        question = build_approval_message(desc, await self._approval_facts(request))
        for _, channel, ts in await queries.approval_messages(self._reading, request.id):
            await self._poster.update(channel, ts, question)
        return desc

    async def _reply_once(self, notice: Notice, request: StaffingRequest, message: SlackMessage) -> Notice:
        if "reply" in notice.progress:
            return notice
        ts = await self._poster.reply(request, message)
        return await self._progressed(notice, reply=ts)


def _names(value: object) -> list[str]:
    """A list of Slack ids kept in a notice's detail."""
    return [str(item) for item in value] if isinstance(value, list) else []


def _with(progress: Mapping[str, str], **more: str) -> dict[str, str]:
    return {**progress, **more}
