"""What the Slack stand-in holds: conversations and their messages, each user's modals and Home tab,
trigger ids and response URLs; and a version that the page waits on to hear of any change."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from app.demo.blockkit import Json, with_ids
from app.demo.workspace import APP_ID, BOT_ID, CHANNEL_ID, CHANNEL_NAME, TEAM_ID, Workspace

TRIGGER_SECONDS = 3.0  # a trigger id opens a modal within 3 seconds, once
RESPONSE_URL_SECONDS = 30 * 60  # a response URL takes up to 5 answers within 30 minutes
RESPONSE_URL_USES = 5
MAX_VIEWS = 3  # a modal stack holds at most 3 views


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[Json]
    thread_ts: str | None = None
    only_for: str | None = None  # an ephemeral message, seen by this user only
    attachments: list[Json] = field(default_factory=list)  # kept, and shown as a placeholder


@dataclass
class Conversation:
    id: str
    name: str
    im_user: str | None = None  # a direct message between this user and the app
    messages: list[Message] = field(default_factory=list)


@dataclass
class View:
    user: str
    body: Json  # the view object as the Web API returns it

    @property
    def id(self) -> str:
        return str(self.body["id"])


@dataclass
class Trigger:
    user: str
    issued: float
    used: bool = False


@dataclass
class ResponseTarget:
    user: str
    channel: str
    issued: float
    message_ts: str | None = None
    ephemeral: bool = False
    uses: int = 0


@dataclass
class Notice:
    """Something the stand-in itself tells the page's user: an app that did not answer, a refused form."""

    number: int
    user: str
    text: str


class SlackState:
    def __init__(self, workspace: Workspace, clock: Callable[[], float] = time.time) -> None:
        self.workspace = workspace
        self.clock = clock
        channel = Conversation(CHANNEL_ID, CHANNEL_NAME)
        self.conversations: dict[str, Conversation] = {channel.id: channel}
        self.stacks: dict[str, list[View]] = {}
        self.homes: dict[str, View] = {}
        self.triggers: dict[str, Trigger] = {}
        self.hooks: dict[str, ResponseTarget] = {}
        self.notices: list[Notice] = []
        self.version = 0
        self.closing = False
        self._changed: asyncio.Condition | None = None
        self._view_locks: dict[str, asyncio.Lock] = {}
        self._last_ts = 0.0

    # --- changes and waiting for them ---

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def touch(self) -> None:
        """Tell whoever waits that something changed."""
        condition = self._condition()
        async with condition:
            self.version += 1
            condition.notify_all()

    async def wait_past(self, version: int, seconds: float) -> int:
        """The version once it is past `version`, or after `seconds` whatever it is (at once when closing)."""
        condition = self._condition()
        async with condition:
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    condition.wait_for(lambda: self.version > version or self.closing), seconds
                )
            return self.version

    async def close(self) -> None:
        """Nobody waits any longer: the stand-in is stopping."""
        self.closing = True
        await self.touch()

    @asynccontextmanager
    async def holding_view(self, view_id: str, seconds: float = 10.0) -> AsyncIterator[None]:
        """While a view's submission waits for the app's answer, the app's own updates of that view wait
        their turn, as in Slack, where the answer to a submission is applied before anything after it."""
        lock = self._view_locks.setdefault(view_id, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), seconds)
        except TimeoutError:
            yield
            return
        try:
            yield
        finally:
            lock.release()

    # --- conversations and messages ---

    def im_of(self, user: str) -> Conversation:
        """The direct-message conversation between `user` and the app."""
        channel_id = "D" + user.removeprefix("U")
        if channel_id not in self.conversations:
            self.conversations[channel_id] = Conversation(channel_id, "Staffdesk", im_user=user)
        return self.conversations[channel_id]

    def next_ts(self) -> str:
        now = max(self.clock(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def post(
        self,
        channel: Conversation,
        user: str,
        text: str,
        blocks: list[Json],
        *,
        thread_ts: str | None = None,
        only_for: str | None = None,
    ) -> Message:
        message = Message(channel.id, self.next_ts(), user, text, with_ids(blocks), thread_ts, only_for)
        channel.messages.append(message)
        return message

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        channel = self.conversations.get(channel_id)
        return next((m for m in channel.messages if m.ts == ts), None) if channel else None

    def visible(self, channel: Conversation, user: str) -> Iterator[Message]:
        return (m for m in channel.messages if m.only_for in (None, user))

    def may_read(self, channel: Conversation, user: str) -> bool:
        return channel.im_user in (None, user)

    # --- trigger ids and response URLs ---

    def new_trigger(self, user: str) -> str:
        trigger_id = f"{int(self.clock())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user, self.clock())
        return trigger_id

    def take_trigger(self, trigger_id: str) -> Trigger | str:
        """The trigger's user, once; else Slack's error for it."""
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            return "invalid_trigger_id"
        if trigger.used:
            return "exchanged_trigger_id"
        if self.clock() - trigger.issued > TRIGGER_SECONDS:
            return "expired_trigger_id"
        trigger.used = True
        return trigger

    def new_hook(
        self, user: str, channel: str, message_ts: str | None = None, ephemeral: bool = False
    ) -> str:
        token = secrets.token_urlsafe(24)
        self.hooks[token] = ResponseTarget(user, channel, self.clock(), message_ts, ephemeral)
        return token

    def take_hook(self, token: str) -> ResponseTarget | None:
        target = self.hooks.get(token)
        if target is None or target.uses >= RESPONSE_URL_USES:
            return None
        if self.clock() - target.issued > RESPONSE_URL_SECONDS:
            return None
        target.uses += 1
        return target

    # --- views ---

    def view(self, view_id: str) -> View | None:
        for stack in self.stacks.values():
            for view in stack:
                if view.id == view_id:
                    return view
        return next((v for v in self.homes.values() if v.id == view_id), None)

    def make_view(
        self, user: str, given: Json, *, keep: View | None = None, root: View | None = None
    ) -> View:
        """A view as Slack stores it: `keep` is the view it replaces (keeping its id), `root` the bottom of
        the stack it is pushed on."""
        view_id = keep.id if keep else "V" + secrets.token_hex(5).upper()
        previous = self.stacks.get(user, [])[-1].id if root and self.stacks.get(user) else None
        body: Json = {
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "app_installed_team_id": TEAM_ID,
            "type": given.get("type"),
            "title": given.get("title"),
            "submit": given.get("submit"),
            "close": given.get("close"),
            "blocks": with_ids(list(given.get("blocks") or [])),
            "private_metadata": given.get("private_metadata") or "",
            "callback_id": given.get("callback_id") or "",
            "external_id": given.get("external_id") or "",
            "clear_on_close": bool(given.get("clear_on_close")),
            "notify_on_close": bool(given.get("notify_on_close")),
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{secrets.token_hex(4)}",
            "previous_view_id": keep.body.get("previous_view_id") if keep else previous,
            "root_view_id": (keep.body.get("root_view_id") if keep else None)
            or (root.id if root else view_id),
        }
        return View(user, body)

    def replace_view(self, old: View, new: View) -> None:
        if old.body.get("type") == "home":
            self.homes[old.user] = new
            return
        stack = self.stacks.get(old.user, [])
        self.stacks[old.user] = [new if v.id == old.id else v for v in stack]

    def close_view(self, user: str, view_id: str, *, everything: bool = False) -> list[View]:
        """Close a modal view (and those above it), or the whole stack; the views closed."""
        stack = self.stacks.get(user, [])
        at = next((i for i, v in enumerate(stack) if v.id == view_id), None)
        if at is None:
            return []
        cut = 0 if everything else at
        self.stacks[user], closed = stack[:cut], stack[cut:]
        return closed

    def notify(self, user: str, text: str) -> None:
        number = self.notices[-1].number + 1 if self.notices else 1
        self.notices.append(Notice(number, user, text))
        del self.notices[:-50]
