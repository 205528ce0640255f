"""What each notice of the outbox puts in Slack: the request's message and its approvers' questions, the
replies in its thread, the requester's and the operators' direct messages. Each message is built for those
who read it (the channel's language, or the Slack locale of the person it goes to), and each post is kept
in the notice's progress, so that a notice tried again does not post it twice."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial

from pydantic import TypeAdapter

from app.domain.notices import Notice, NoticeKind
from app.domain.outcomes import DeliveryOutcome, NeedsOperator
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.services import queries
from app.services.directory_index import DirectoryReads
from app.services.notices import NoticeLedger
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
from app.slack.readers import Readers

log = logging.getLogger(__name__)
_OUTCOME = TypeAdapter[DeliveryOutcome](DeliveryOutcome)


class NoticeSteps:
    """The Slack calls of each kind of notice, made through `poster`."""

    def __init__(
        self,
        poster: SlackPoster,
        ledger: NoticeLedger,
        reading: UnitOfWorkFactory,
        readers: Readers,
        operators: tuple[str, ...] = (),
        facts: Callable[[StaffingRequest], Awaitable[queries.ApprovalFacts]] | None = None,
        directory: DirectoryReads | None = None,
    ) -> None:
        self._poster = poster
        self._ledger = ledger
        self._reading = reading
        self._readers = readers
        self._operators = operators
        self._facts = facts
        self._directory = directory

    async def perform(self, notice: Notice) -> None:
        """Put in Slack what `notice` owes, each message once: a retried notice skips what it posted."""
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
            notice = await self._reply_once(notice, request, partial(build_decision_reply, then))
            await self._dm_requester_once(notice, request, partial(build_decision_dm, then, status))
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
        next_attempt_at = datetime.fromisoformat(str(again)) if again else None
        reply = partial(
            build_outcome_reply, then, outcome, upstream=upstream, next_attempt_at=next_attempt_at
        )
        notice = await self._reply_once(notice, request, reply)
        first_of_its_kind = notice.detail.get("attempt") == 1 or final
        if isinstance(outcome, NeedsOperator) and not first_of_its_kind:
            return
        if isinstance(outcome, NeedsOperator):
            operators = partial(build_operator_message, then, outcome, upstream=upstream)
            notice = await self._tell_operators_once(notice, operators)
        told = bool(self._operators)
        dm = partial(build_outcome_dm, then, outcome, upstream=upstream, final=final, operators_told=told)
        await self._dm_requester_once(notice, request, dm)

    async def _dm_requester_once(
        self, notice: Notice, request: StaffingRequest, build: Callable[[], SlackMessage | None]
    ) -> Notice:
        """What `build` makes, in the requester's language, by DM; nothing when it makes nothing."""
        if "dm" in notice.progress or request.message_ts is None:
            return notice  # a request without a message of its own already had its reply by DM
        message = await self._readers.for_person(request.requester_id, build)
        if message is None:
            return notice
        _, ts = await self._poster.dm(request.requester_id, message)
        return await self._progressed(notice, dm=ts)

    async def _tell_operators_once(self, notice: Notice, build: Callable[[], SlackMessage]) -> Notice:
        for destination in self._operators:
            key = f"operators:{destination}"
            if key in notice.progress:
                continue
            message = await self._readers.for_destination(destination, build)
            ts = await self._poster.to(destination, message)
            notice = await self._progressed(notice, **{key: ts})
        if not self._operators:
            log.error("an upstream needs an administrator; set STAFFDESK_OPERATORS to tell them in Slack")
        return notice

    async def _progressed(self, notice: Notice, **posted: str) -> Notice:
        progress = _with(notice.progress, **posted)
        await self._ledger.progress(notice, progress)
        return notice.model_copy(update={"progress": progress})

    async def _submitted(self, request: StaffingRequest) -> None:
        """The request's message and one question per approver, each posted once."""
        desc = await queries.describe(self._reading, request, self._directory)
        if request.message_ts is None:
            message = await self._readers.for_request_message(request, partial(build_request_message, desc))
            channel, ts = await self._poster.post_request_message(request, message)
            await self._ledger.request_message_posted(request.id, channel, ts)
            request = request.model_copy(update={"channel_id": channel, "message_ts": ts})
            desc = replace(desc, request=request)
        asked = {approver for approver, _, _ in await queries.approval_messages(self._reading, request.id)}
        facts = await self._approval_facts(request)
        for approver in request.approvers:
            if approver in asked:
                continue
            question = await self._readers.for_person(approver, partial(build_approval_message, desc, facts))
            dm_channel, dm_ts = await self._poster.dm(approver, question)
            await self._ledger.approver_asked(request.id, approver, dm_channel, dm_ts)

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
            expires = facts.expires_at if facts else None
            reminder = partial(build_reminder_dm, desc, link, waited, expires)
            message = await self._readers.for_person(approver, reminder)
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
        notice = await self._reply_once(
            notice, request, partial(build_added_message, why, added, in_place_of)
        )
        desc = await queries.describe(self._reading, request, self._directory)
        await self._dm_requester_once(notice, request, partial(build_added_dm, desc, why, added, in_place_of))

    async def _amended(self, notice: Notice, request: StaffingRequest) -> None:
        """The request's message shows its undo or change; once done, its thread says so, and its
        requester hears it when someone else amended it."""
        desc = await self._refresh(request)
        if not notice.detail.get("done"):
            return
        notice = await self._reply_once(notice, request, partial(build_amended_reply, desc))
        if desc.amended_by is not None and desc.amended_by.requester_id != request.requester_id:
            await self._dm_requester_once(notice, request, partial(build_amended_reply, desc))

    async def _approval_facts(self, request: StaffingRequest) -> queries.ApprovalFacts | None:
        """What the approvers see besides the request, while it waits for them."""
        if self._facts is None or request.status is not RequestStatus.PENDING_APPROVAL:
            return None
        return await self._facts(request)

    async def _refresh(self, request: StaffingRequest) -> queries.RequestDescription:
        """Every copy of the request shows its state now (updates can be made any number of times)."""
        desc = await queries.describe(self._reading, request, self._directory)
        if request.channel_id and request.message_ts:
            message = await self._readers.for_request_message(request, partial(build_request_message, desc))
            await self._poster.update(request.channel_id, request.message_ts, message)
        facts = await self._approval_facts(request)
        for approver, channel, ts in await queries.approval_messages(self._reading, request.id):
            question = await self._readers.for_person(approver, partial(build_approval_message, desc, facts))
            await self._poster.update(channel, ts, question)
        return desc

    async def _reply_once(
        self, notice: Notice, request: StaffingRequest, build: Callable[[], SlackMessage | None]
    ) -> Notice:
        """What `build` makes, in the language of the request's thread, as a reply in it; nothing when it
        makes nothing."""
        if "reply" in notice.progress:
            return notice
        message = await self._readers.for_thread(request, build)
        if message is None:
            return notice
        ts = await self._poster.reply(request, message)
        return await self._progressed(notice, reply=ts)


def _names(value: object) -> list[str]:
    """A list of Slack ids kept in a notice's detail."""
    return [str(item) for item in value] if isinstance(value, list) else []


def _with(progress: Mapping[str, str], **more: str) -> dict[str, str]:
    return {**progress, **more}
