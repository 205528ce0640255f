"""What the page shows one user: their conversations with threads, their modals, their App Home, the
people to pick; every text object carries `html`, its safe rendering, which is all the page puts in HTML."""

from __future__ import annotations

from functools import partial

from app.demo.blockkit import Json
from app.demo.mrkdwn import Renderer, render_mrkdwn, with_html
from app.demo.store import Conversation, Message, SlackState
from app.demo.workspace import BOT_USER_ID, COMMANDS, TEAM_NAME


def _message(message: Message, state: SlackState, mrkdwn: Renderer) -> Json:
    names = state.workspace.names()
    return {
        "ts": message.ts,
        "author": names.get(message.user, message.user),
        "author_id": message.user,
        "bot": message.user == BOT_USER_ID,
        "only_me": message.only_for is not None,
        "html": mrkdwn(message.text) if not message.blocks and message.text else None,
        "blocks": with_html(message.blocks, mrkdwn),
        "attachments": len(message.attachments),
    }


def _conversation(channel: Conversation, user: str, state: SlackState, mrkdwn: Renderer) -> Json:
    visible = list(state.visible(channel, user))
    threads: dict[str, list[Json]] = {}
    for message in visible:
        if message.thread_ts and message.thread_ts != message.ts:
            threads.setdefault(message.thread_ts, []).append(_message(message, state, mrkdwn))
    top = [
        _message(m, state, mrkdwn) | {"replies": threads.get(m.ts, [])}
        for m in visible
        if not m.thread_ts or m.thread_ts == m.ts
    ]
    return {
        "id": channel.id,
        "name": channel.name,
        "kind": "app" if channel.im_user else "channel",
        "messages": top,
    }


def snapshot(state: SlackState, user: str) -> Json:
    workspace = state.workspace
    channels = {c.id: c.name for c in state.conversations.values() if c.im_user is None}
    mrkdwn = partial(render_mrkdwn, names=workspace.names(), channels=channels)
    readable = [c for c in state.conversations.values() if c.im_user is None]
    readable.append(state.im_of(user))
    home = state.homes.get(user)
    return {
        "version": state.version,
        "closing": state.closing,
        "me": user,
        "team": TEAM_NAME,
        "cast": [
            {"id": part.user_id, "name": names_of(state, part.user_id), "part": part.part}
            for part in workspace.cast
        ],
        "users": [
            {"id": u.id, "name": u.name, "real_name": u.real_name, "title": u.title}
            for u in sorted(workspace.users, key=lambda u: u.real_name)
        ],
        "conversations": [_conversation(c, user, state, mrkdwn) for c in readable],
        "modals": [
            {"id": v.id, "hash": v.body["hash"], "view": with_html(v.body, mrkdwn)}
            for v in state.stacks.get(user, [])
        ],
        "home": with_html(home.body, mrkdwn) if home else None,
        "commands": [
            {"command": name, "description": c.description, "usage_hint": c.usage_hint}
            for name, c in COMMANDS.items()
        ],
        "notices": [{"id": n.number, "text": n.text} for n in state.notices if n.user == user][-5:],
    }


def names_of(state: SlackState, user_id: str) -> str:
    return state.workspace.names().get(user_id, user_id)
