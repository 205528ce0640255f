"""Posting the daily summary: the top message in the channel (or a PM's DM), the details in its thread."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from app.services.summary import DailySummary
from app.slack.blocks.summary import build_summary_messages
from app.slack.readers import Readers


class SlackSummaryPoster:
    """Posts each summary in its readers' language: a channel's in STAFFDESK_LANGUAGE (as `readers` says),
    a PM's digest in the language of the PM's Slack; English for both without `readers`."""

    def __init__(self, client: AsyncWebClient, readers: Readers | None = None) -> None:
        self._client = client
        self._readers = readers or Readers()

    async def post(self, destination: str, summary: DailySummary) -> str:
        channel = destination
        if destination.startswith(("U", "W")):
            opened = await self._client.conversations_open(users=destination)
            channel = str(opened["channel"]["id"])
        top, details = await self._readers.for_destination(
            destination, lambda: build_summary_messages(summary)
        )
        posted = await self._client.chat_postMessage(channel=channel, text=top.text, blocks=top.blocks)
        ts = str(posted["ts"])
        for message in details:
            await self._client.chat_postMessage(
                channel=channel, thread_ts=ts, text=message.text, blocks=message.blocks
            )
        return ts
