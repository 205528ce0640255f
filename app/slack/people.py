"""SlackPeople over the Web API: e-mails (users.info), users by e-mail (cached), user group members, and
each user's locale (users.info with include_locale, cached)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("staffdesk.slack")
K = TypeVar("K")
V = TypeVar("V")
EMAIL_KNOWN_FOR = 3600.0  # a user found by e-mail, asked of Slack again after an hour
EMAIL_UNKNOWN_FOR = 300.0  # an e-mail with no Slack user, asked again after five minutes


class TimedCache(Generic[K, V]):
    """The answers for the `size` keys used last, each kept until its own expiry (seconds on `clock`)."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._size, self._clock = size, clock
        self._known: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        """(True, the answer) while one is kept for `key`, else (False, None)."""
        known = self._known.get(key)
        if known is None or known[0] <= self._clock():
            return False, None
        self._known.move_to_end(key)
        return True, known[1]

    def put(self, key: K, value: V, keep_for: float) -> None:
        self._known[key] = (self._clock() + keep_for, value)
        self._known.move_to_end(key)
        while len(self._known) > self._size:
            self._known.popitem(last=False)

    def forget(self, key: K) -> None:
        self._known.pop(key, None)


class SlackWebPeople:
    """users.lookupByEmail, which Slack allows about 50 times a minute, is asked once an hour per e-mail:
    every request asks who its approvers are in Slack by their e-mails."""

    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._by_email: TimedCache[str, str | None] = TimedCache(4096, clock)

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
        key = email.strip().lower()
        kept, known = self._by_email.get(key)
        if kept:
            return known
        found = await self._lookup_by_email(email)
        self._by_email.put(key, found, EMAIL_KNOWN_FOR if found else EMAIL_UNKNOWN_FOR)
        return found

    async def _lookup_by_email(self, email: str) -> str | None:
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
        self._ttl, self._retry_after, self._timeout = ttl, retry_after, timeout
        self._known: TimedCache[str, str | None] = TimedCache(size, clock)

    async def locale_of(self, slack_user_id: str) -> str | None:
        kept, known = self._known.get(slack_user_id)
        if kept:
            return known
        try:
            async with asyncio.timeout(self._timeout):
                locale = await self._lookup.locale_of(slack_user_id)
            keep_for = self._ttl
        except Exception as error:  # the locale must never stop an answer
            log.warning("no locale for %s: %s", slack_user_id, type(error).__name__)
            locale, keep_for = None, self._retry_after
        self._known.put(slack_user_id, locale, keep_for)
        return locale
