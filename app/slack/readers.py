"""Whose language each message Staffdesk sends on its own is built in: a channel's is STAFFDESK_LANGUAGE,
for everyone in it; a direct message is in the Slack locale of the person it goes to. The outbox builds in
background tasks and inside click handlers alike, so it always says who reads, never taking the reader of
the task it runs in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.domain.requests import StaffingRequest
from app.i18n import reader_for, reading
from app.slack.people import LocaleLookup

Built = TypeVar("Built")


def in_a_channel(channel_id: str | None) -> bool:
    """Whether Slack id `channel_id` is a channel (public or private), not a direct message."""
    return bool(channel_id) and not str(channel_id).startswith("D")


class Readers:
    """Builds each message for its readers: `locales` tells each user's Slack locale (None: everyone reads
    English), `channel_language` is what channels read."""

    def __init__(self, locales: LocaleLookup | None = None, channel_language: str = "en") -> None:
        self._locales = locales
        self._channel_language = channel_language

    def for_channel(self, build: Callable[[], Built]) -> Built:
        """`build()` in the language of channels."""
        with reading(reader_for(self._channel_language)):
            return build()

    async def for_person(self, slack_user_id: str, build: Callable[[], Built]) -> Built:
        """`build()` in the language of the user's Slack."""
        locale = await self._locales.locale_of(slack_user_id) if self._locales is not None else None
        with reading(reader_for(locale)):
            return build()

    async def for_destination(self, destination: str, build: Callable[[], Built]) -> Built:
        """`build()` for a channel (C…, G…), or for a user (U…, W…) who gets it by direct message."""
        if destination[:1] in {"U", "W"}:
            return await self.for_person(destination, build)
        return self.for_channel(build)

    async def for_request_message(self, request: StaffingRequest, build: Callable[[], Built]) -> Built:
        """`build()` for where the request's own message is: its channel, else its requester's DM."""
        if in_a_channel(request.channel_id):
            return self.for_channel(build)
        return await self.for_person(request.requester_id, build)

    async def for_thread(self, request: StaffingRequest, build: Callable[[], Built]) -> Built:
        """`build()` for the request's thread: in its channel, else (a DM, or no message of its own) the
        requester's DM."""
        if in_a_channel(request.channel_id) and request.message_ts:
            return self.for_channel(build)
        return await self.for_person(request.requester_id, build)
