"""Slack's shapes and limits: the users and messages the Web API returns, the blocks and views it takes,
and its refusals (`ok: false` and an error name)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from app.demo.blockkit import Json
from app.demo.store import Message
from app.demo.workspace import BOT_ID, BOT_USER_ID, TEAM_ID, TIME_ZONE, SlackUser

MAX_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


class Refused(Exception):
    """A call Slack answers with `ok: false` and this error."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages

    def answer(self) -> Json:
        body: Json = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


def required(params: Json, name: str, error: str = "invalid_arguments") -> str:
    value = params.get(name)
    if value in (None, ""):
        raise Refused(error, f"[ERROR] missing required field: {name}")
    return str(value)


def checked_blocks(blocks: Any, limit: int) -> list[Json]:
    """Blocks Slack would take; else `invalid_blocks` with what is wrong."""
    if blocks in (None, ""):
        return []
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise Refused("invalid_blocks_format")
    if len(blocks) > limit:
        raise Refused("invalid_blocks", f"[ERROR] no more than {limit} items allowed [json-pointer:/blocks]")
    for index, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is not None:
                parsed.validate_json()
        except (SlackObjectFormationError, KeyError, TypeError, ValueError) as error:
            raise Refused("invalid_blocks", f"[ERROR] {error} [json-pointer:/blocks/{index}]") from None
    return list(blocks)


def checked_view(view: Any, kind: str) -> Json:
    """A view Slack would take for a modal or the Home tab; else `invalid_arguments` saying why."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            raise Refused("invalid_arguments", "[ERROR] failed to parse view") from None
    if not isinstance(view, dict) or view.get("type") != kind:
        raise Refused("invalid_arguments", f"[ERROR] view type must be {kind} [json-pointer:/view/type]")
    blocks = checked_blocks(view.get("blocks"), MAX_VIEW_BLOCKS)
    if kind == "modal":
        title = (view.get("title") or {}).get("text") if isinstance(view.get("title"), dict) else None
        if not title or len(title) > 24:
            raise Refused(
                "invalid_arguments", "[ERROR] must be 1 to 24 characters [json-pointer:/view/title]"
            )
        if any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
            raise Refused("invalid_arguments", "[ERROR] a view with inputs needs submit [json-pointer:/view]")
    if len(str(view.get("private_metadata") or "")) > 3000:
        raise Refused("invalid_arguments", "[ERROR] must be 3000 characters or fewer [json-pointer:/view]")
    return view


def user_json(user: SlackUser, *, locale: bool = False) -> Json:
    first, _, last = user.real_name.partition(" ")
    profile = {
        "email": user.email,
        "real_name": user.real_name,
        "display_name": user.name,
        "first_name": first,
        "last_name": last,
        "title": user.title,
    }
    body: Json = {
        "id": user.id,
        "team_id": TEAM_ID,
        "name": user.name,
        "real_name": user.real_name,
        "deleted": False,
        "is_bot": False,
        "tz": TIME_ZONE,
        "profile": profile,
    }
    return body | ({"locale": "en-US"} if locale else {})


def message_json(message: Message) -> Json:
    body: Json = {"type": "message", "text": message.text, "blocks": message.blocks, "ts": message.ts}
    body |= {"bot_id": BOT_ID} if message.user == BOT_USER_ID else {}
    body |= {"user": message.user, "team": TEAM_ID}
    body |= {"attachments": message.attachments} if message.attachments else {}
    return body | ({"thread_ts": message.thread_ts} if message.thread_ts else {})
