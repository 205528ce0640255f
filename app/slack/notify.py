"""What Slack shows as a request moves: its message, the approvers' copies, and its thread."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.directory import UPSTREAM_OF_KIND
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.services import requests as request_views
from app.services.delivery import DeliveryReport
from app.services.ports import UnitOfWorkFactory
from app.slack.blocks.common import SlackMessage
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
)

log = logging.getLogger(__name__)
_NO_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}


class SlackNotifier:
    def __init__(
        self, client: AsyncWebClient, uow_factory: UnitOfWorkFactory, reading: UnitOfWorkFactory | None = None
    ) -> None:
        self._client = client
        self._uow_factory = uow_factory
        self._reading = reading or uow_factory

    async def _dm(self, user_id: str, message: SlackMessage) -> tuple[str, str]:
        opened = await self._client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        posted = await self._client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks
        )
        return channel, str(posted["ts"])

    async def _post_request_message(self, request: StaffingRequest, message: SlackMessage) -> tuple[str, str]:
        """In the channel it was asked in; in the requester's DM when the bot cannot post there."""
        if request.channel_id and not request.channel_id.startswith("D"):
            try:
                posted = await self._client.chat_postMessage(
                    channel=request.channel_id, text=message.text, blocks=message.blocks
                )
                return request.channel_id, str(posted["ts"])
            except SlackApiError as error:
                if error.response.get("error") not in _NO_CHANNEL:
                    raise
                log.info(
                    "cannot post in %s (%s); using a DM", request.channel_id, error.response.get("error")
                )
        return await self._dm(request.requester_id, message)

    async def request_submitted(self, request: StaffingRequest) -> StaffingRequest:
        """Post the request's message and ask each approver; returns the request with its message."""
        desc = await request_views.describe(self._reading, request)
        channel, ts = await self._post_request_message(request, build_request_message(desc))
        await request_views.record_request_message(self._uow_factory, request.id, channel, ts)
        question = build_approval_message(desc)
        for approver in request.approvers:
            dm_channel, dm_ts = await self._dm(approver, question)
            await request_views.record_approval_message(
                self._uow_factory, request.id, approver, dm_channel, dm_ts
            )
        return request.model_copy(update={"channel_id": channel, "message_ts": ts})

    async def _refresh(self, request: StaffingRequest) -> request_views.RequestDescription:
        desc = await request_views.describe(self._reading, request)
        if request.channel_id and request.message_ts:
            message = build_request_message(desc)
            await self._client.chat_update(
                channel=request.channel_id, ts=request.message_ts, text=message.text, blocks=message.blocks
            )
        question = build_approval_message(desc)
        for _, channel, ts in await request_views.approval_messages(self._reading, request.id):
            await self._client.chat_update(channel=channel, ts=ts, text=question.text, blocks=question.blocks)
        return desc

    async def _reply(self, request: StaffingRequest, message: SlackMessage) -> None:
        if request.channel_id and request.message_ts:
            await self._client.chat_postMessage(
                channel=request.channel_id,
                thread_ts=request.message_ts,
                text=message.text,
                blocks=message.blocks,
            )
        else:
            await self._dm(request.requester_id, message)

    async def request_changed(self, request: StaffingRequest) -> None:
        """After a decision: every copy shows it, and the thread says who decided."""
        request = await request_views.get_request(self._reading, request.id)
        desc = await self._refresh(request)
        await self._reply(request, build_decision_reply(desc))

    async def delivery_reported(self, report: DeliveryReport) -> None:
        """After a delivery attempt: the message shows the state, the thread the upstream's answer."""
        request = await request_views.get_request(self._reading, report.request_id)
        desc = await self._refresh(request)
        upstream = UPSTREAM_OF_KIND[request.kind].label
        next_at = request.next_attempt_at if request.status is RequestStatus.APPROVED else None
        await self._reply(
            request, build_outcome_reply(desc, report.outcome, upstream=upstream, next_attempt_at=next_at)
        )
