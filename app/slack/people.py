"""SlackPeople over the Web API: e-mails (users.info), users by e-mail, user group members, and each user's
locale (users.info with include_locale), cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("staffdesk.slack")


class SlackWebPeople:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def email_of(self, slack_user_id: str) -> str | None:
        try:
            answer = await self._client.users_info(user=slack_user_id)
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                return None
            raise
        user = answer.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return str(email) if email else None

    async def locale_of(self, slack_user_id: str) -> str | None:
        """The user's Slack locale, such as "it-IT"; None when Slack does not say."""
        try:
            answer = await self._client.users_info(user=slack_user_id, include_locale=True)
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        locale = (answer.get("user") or {}).get("locale")
        return str(locale) if locale else None

    async def user_by_email(self, email: str) -> str | None:
        try:
            answer = await self._client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise
        user = answer.get("user") or {}
        if user.get("deleted") or user.get("is_bot"):
            return None
        return str(user["id"]) if user.get("id") else None

    async def usergroup_members(self, handle: str) -> frozenset[str]:
        groups = (await self._client.usergroups_list()).get("usergroups") or []
        group = next((g for g in groups if g.get("handle") == handle.lstrip("@")), None)
        if group is None:
            return frozenset()
        users = (await self._client.usergroups_users_list(usergroup=group["id"])).get("users") or []
        return frozenset(str(u) for u in users)


class LocaleLookup(Protocol):
    async def locale_of(self, slack_user_id: str) -> str | None: ...


class UserLocales:
    """Each user's Slack locale, asked of Slack at most once per `ttl` seconds, for the `size` users seen
    last. A lookup that fails or takes longer than `timeout` seconds reads as no locale (English), and is
    tried again after `retry_after` seconds: a person is never kept waiting for their language."""

    def __init__(
        self,
        lookup: LocaleLookup,
        *,
        size: int = 2048,
        ttl: float = 3600.0,
        retry_after: float = 60.0,
        timeout: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._size, self._ttl, self._retry_after, self._timeout = size, ttl, retry_after, timeout
        self._clock = clock
        self._known: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    async def locale_of(self, slack_user_id: str) -> str | None:
        now = self._clock()
        known = self._known.get(slack_user_id)
        if known is not None and known[0] > now:
            self._known.move_to_end(slack_user_id)
            return known[1]
        try:
            async with asyncio.timeout(self._timeout):
                locale = await self._lookup.locale_of(slack_user_id)
            expires = now + self._ttl
        except Exception as error:  # the locale must never stop an answer
            log.warning("no locale for %s: %s", slack_user_id, type(error).__name__)
            locale, expires = None, now + self._retry_after
        self._known[slack_user_id] = (expires, locale)
        self._known.move_to_end(slack_user_id)
        while len(self._known) > self._size:
            self._known.popitem(last=False)
        return locale
