"""The Web API calls the outbox makes: post in a channel or a DM, reply in a thread, update in place."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.requests import StaffingRequest
from app.slack.blocks.common import SlackMessage
from app.slack.people import TimedCache

log = logging.getLogger(__name__)
_NO_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}
DM_CHANNEL_KEPT_FOR = 24 * 3600.0


class SlackPoster:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        # The DM channel with each user, as conversations.open gave it: the same every time it is asked,
        # so it is asked once a day per user; a post refused for the channel asks again next time.
        self._dm_channels: TimedCache[str, str] = TimedCache(4096)

    async def dm(self, user_id: str, message: SlackMessage) -> tuple[str, str]:
        _, channel = self._dm_channels.get(user_id)
        if channel is None:
            opened = await self._client.conversations_open(users=user_id)
            channel = str(opened["channel"]["id"])
            self._dm_channels.put(user_id, channel, DM_CHANNEL_KEPT_FOR)
        try:
            posted = await self._client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks
            )
        except SlackApiError as error:
            if error.response.get("error") in _NO_CHANNEL:
                self._dm_channels.forget(user_id)
            raise
        return channel, str(posted["ts"])

    async def post_request_message(self, request: StaffingRequest, message: SlackMessage) -> tuple[str, str]:
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
        return await self.dm(request.requester_id, message)

    async def to(self, destination: str, message: SlackMessage) -> str:
        """Post in a channel (C…, G…) or to a user (U…, W…) by DM; the message's ts."""
        if destination[:1] in {"U", "W"}:
            _, ts = await self.dm(destination, message)
            return ts
        posted = await self._client.chat_postMessage(
            channel=destination, text=message.text, blocks=message.blocks
        )
        return str(posted["ts"])

    async def permalink(self, channel: str, ts: str) -> str | None:
        """The link to a message (chat.getPermalink); None when Slack does not give one."""
        try:
            answer = await self._client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as error:
            log.info("no permalink for a message in %s (%s)", channel, error.response.get("error"))
            return None
        link = answer.get("permalink")
        return str(link) if link else None

    async def update(self, channel: str, ts: str, message: SlackMessage) -> None:
        await self._client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)

    async def reply(self, request: StaffingRequest, message: SlackMessage) -> str:
        """In the request's thread; in the requester's DM when the request has no message."""
        if request.channel_id and request.message_ts:
            posted = await self._client.chat_postMessage(
                channel=request.channel_id,
                thread_ts=request.message_ts,
                text=message.text,
                blocks=message.blocks,
            )
            return str(posted["ts"])
        _, ts = await self.dm(request.requester_id, message)
        return ts
