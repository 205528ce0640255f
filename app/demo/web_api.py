"""The Slack Web API methods the app calls, answered as Slack answers them (`ok`, or `ok: false` and
Slack's error name), from and into the stand-in's state; and the response URLs."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app.demo.blockkit import Json, with_ids
from app.demo.shapes import (
    MAX_MESSAGE_BLOCKS,
    MAX_TEXT,
    Refused,
    checked_blocks,
    checked_view,
    message_json,
    required,
    user_json,
)
from app.demo.store import MAX_VIEWS, Conversation, Message, SlackState, View
from app.demo.workspace import (
    BOT_ID,
    BOT_USER_ID,
    RESOURCING,
    RESOURCING_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    SlackUser,
)

Method = Callable[[Json], Awaitable[Json]]


def _attachments(params: Json) -> list[Json]:
    given = params.get("attachments")
    return [a for a in given if isinstance(a, dict)] if isinstance(given, list) else []


class WebApi:
    def __init__(self, state: SlackState, bot_token: str) -> None:
        self.state = state
        self._token = bot_token
        self.methods: dict[str, Method] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.delete": self.chat_delete,
            "conversations.open": self.conversations_open,
            "users.info": self.users_info,
            "users.lookupByEmail": self.users_lookup_by_email,
            "usergroups.list": self.usergroups_list,
            "usergroups.users.list": self.usergroups_users_list,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
        }

    async def call(self, method: str, params: Json, token: str | None) -> Json:
        """Slack's answer to one Web API call made with `token`."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not hmac.compare_digest(token.encode(), self._token.encode()):
            return {"ok": False, "error": "invalid_auth"}
        handler = self.methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            answer = await handler(params)
        except Refused as refused:
            return refused.answer()
        await self.state.touch()
        return answer

    def _conversation(self, params: Json) -> Conversation:
        channel_id = str(params.get("channel") or "")
        if channel_id[:1] in {"U", "W"} and self.state.workspace.user(channel_id):
            return self.state.im_of(channel_id)
        found = self.state.conversations.get(channel_id)
        if found is None:
            raise Refused("channel_not_found")
        return found

    def _user(self, user_id: str) -> SlackUser:
        user = self.state.workspace.user(user_id)
        if user is None:
            raise Refused("user_not_found")
        return user

    @staticmethod
    def _content(params: Json, *, attached: bool = False) -> tuple[str, list[Json]]:
        text, blocks = str(params.get("text") or ""), checked_blocks(params.get("blocks"), MAX_MESSAGE_BLOCKS)
        if not text and not blocks and not attached:
            raise Refused("no_text")
        if len(text) > MAX_TEXT:
            raise Refused("msg_too_long")
        return text, blocks

    async def auth_test(self, _: Json) -> Json:
        url = f"https://{TEAM_DOMAIN}.slack.com/"
        return {"ok": True, "url": url, "team": TEAM_NAME, "user": "staffdesk", "team_id": TEAM_ID} | {
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    async def chat_post_message(self, params: Json) -> Json:
        channel = self._conversation(params)
        attachments = _attachments(params)
        text, blocks = self._content(params, attached=bool(attachments))
        thread_ts = str(params.get("thread_ts") or "") or None
        parent = self.state.find_message(channel.id, thread_ts) if thread_ts else None
        thread_ts = (parent.thread_ts or parent.ts) if parent else None
        message = self.state.post(channel, BOT_USER_ID, text, blocks, thread_ts=thread_ts)
        message.attachments = attachments
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message_json(message)}

    def _own_message(self, params: Json) -> Message:
        channel = self._conversation(params)
        message = self.state.find_message(channel.id, required(params, "ts", "message_not_found"))
        if message is None or message.only_for is not None:
            raise Refused("message_not_found")
        if message.user != BOT_USER_ID:
            raise Refused("cant_update_message")
        return message

    async def chat_update(self, params: Json) -> Json:
        message = self._own_message(params)
        if "text" in params:
            message.text = str(params.get("text") or "")
        if "blocks" in params:
            message.blocks = with_ids(checked_blocks(params.get("blocks"), MAX_MESSAGE_BLOCKS))
        if "attachments" in params:
            message.attachments = _attachments(params)
        if not message.text and not message.blocks and not message.attachments:
            raise Refused("no_text")
        answer = {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}
        return answer | {"message": message_json(message)}

    async def chat_delete(self, params: Json) -> Json:
        message = self._own_message(params)
        channel = self.state.conversations[message.channel]
        channel.messages = [m for m in channel.messages if m is not message]
        return {"ok": True, "channel": channel.id, "ts": message.ts}

    async def chat_post_ephemeral(self, params: Json) -> Json:
        channel = self._conversation(params)
        user = self._user(required(params, "user", "user_not_found"))
        if not self.state.may_read(channel, user.id):
            raise Refused("user_not_in_channel")
        text, blocks = self._content(params)
        thread_ts = str(params.get("thread_ts") or "") or None
        message = self.state.post(channel, BOT_USER_ID, text, blocks, thread_ts=thread_ts, only_for=user.id)
        return {"ok": True, "message_ts": message.ts}

    async def conversations_open(self, params: Json) -> Json:
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            raise Refused("users_list_not_supplied")
        if len(users) > 1:
            raise Refused("not_supported", "[ERROR] the demo opens direct messages with one person only")
        user = self._user(users[0])
        already = "D" + user.id.removeprefix("U") in self.state.conversations
        channel = self.state.im_of(user.id)
        return {"ok": True, "no_op": already, "already_open": already, "channel": {"id": channel.id}}

    async def users_info(self, params: Json) -> Json:
        user = self._user(required(params, "user", "user_not_found"))
        locale = str(params.get("include_locale")).lower() in {"1", "true"}
        return {"ok": True, "user": user_json(user, locale=locale)}

    async def users_lookup_by_email(self, params: Json) -> Json:
        user = self.state.workspace.by_email(required(params, "email", "users_not_found"))
        if user is None:
            raise Refused("users_not_found")
        return {"ok": True, "user": user_json(user)}

    async def usergroups_list(self, params: Json) -> Json:
        members = list(self.state.workspace.resourcing)
        group: Json = {"id": RESOURCING_ID, "team_id": TEAM_ID, "name": "Resourcing", "handle": RESOURCING}
        group["user_count"] = len(members)
        if str(params.get("include_users")).lower() in {"1", "true"}:
            group["users"] = members
        return {"ok": True, "usergroups": [group]}

    async def usergroups_users_list(self, params: Json) -> Json:
        if required(params, "usergroup", "no_such_subteam") != RESOURCING_ID:
            raise Refused("no_such_subteam")
        return {"ok": True, "users": list(self.state.workspace.resourcing)}

    async def views_open(self, params: Json) -> Json:
        trigger_id = required(params, "trigger_id")
        view = checked_view(params.get("view"), "modal")
        trigger = self.state.take_trigger(trigger_id)
        if isinstance(trigger, str):
            raise Refused(trigger)
        opened = self.state.make_view(trigger.user, view)
        self.state.stacks[trigger.user] = [opened]
        return {"ok": True, "view": opened.body}

    async def views_push(self, params: Json) -> Json:
        trigger_id = required(params, "trigger_id")
        view = checked_view(params.get("view"), "modal")
        trigger = self.state.take_trigger(trigger_id)
        if isinstance(trigger, str):
            raise Refused(trigger)
        stack = self.state.stacks.setdefault(trigger.user, [])
        if len(stack) >= MAX_VIEWS:
            raise Refused("push_limit_reached")
        pushed = self.state.make_view(trigger.user, view, root=stack[0] if stack else None)
        stack.append(pushed)
        return {"ok": True, "view": pushed.body}

    def _view_named(self, params: Json) -> View:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if not view_id and not external_id:
            raise Refused("invalid_arguments", "[ERROR] view_id or external_id is required")
        found = self.state.view(str(view_id)) if view_id else None
        if found is None and external_id:
            everything = [*self.state.homes.values(), *(v for s in self.state.stacks.values() for v in s)]
            found = next((v for v in everything if v.body.get("external_id") == external_id), None)
        if found is None:
            raise Refused("not_found")
        return found

    async def views_update(self, params: Json) -> Json:
        async with self.state.holding_view(str(params.get("view_id") or "")):
            old = self._view_named(params)
            view = checked_view(params.get("view"), str(old.body.get("type")))
            if params.get("hash") and params["hash"] != old.body["hash"]:
                raise Refused("hash_conflict")
            new = self.state.make_view(old.user, view, keep=old)
            self.state.replace_view(old, new)
        return {"ok": True, "view": new.body}

    async def views_publish(self, params: Json) -> Json:
        user = self._user(required(params, "user_id"))
        view = checked_view(params.get("view"), "home")
        old = self.state.homes.get(user.id)
        if params.get("hash") and (old is None or params["hash"] != old.body["hash"]):
            raise Refused("hash_conflict")
        home = self.state.make_view(user.id, view, keep=old)
        self.state.homes[user.id] = home
        return {"ok": True, "view": home.body}

    async def respond(self, token: str, body: Json) -> bool:
        """An answer posted to a response URL: a new message (only for its user unless `in_channel`), or
        the original message replaced or deleted; False when the URL is unknown, used up or expired."""
        target = self.state.take_hook(token)
        if target is None:
            return False
        channel = self.state.conversations[target.channel]
        original = self.state.find_message(channel.id, target.message_ts) if target.message_ts else None
        if original is not None and body.get("delete_original"):
            channel.messages = [m for m in channel.messages if m is not original]
        elif original is not None and body.get("replace_original"):
            original.text = str(body.get("text") or "")
            original.blocks = with_ids(list(body.get("blocks") or []))
        else:
            text, blocks = str(body.get("text") or ""), list(body.get("blocks") or [])
            thread_ts = str(body.get("thread_ts") or "") or None
            only_for = None if body.get("response_type") == "in_channel" else target.user
            self.state.post(channel, BOT_USER_ID, text, blocks, thread_ts=thread_ts, only_for=only_for)
        await self.state.touch()
        return True


async def _params(request: Request) -> Json:
    if request.headers.get("content-type", "").startswith("application/json"):
        loaded = json.loads(await request.body() or b"{}")
        params: Json = loaded if isinstance(loaded, dict) else {}
    else:
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    params = {**request.query_params, **params}
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str) and params[key]:
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                params[key] = None if key != "blocks" else "unreadable"
    return params


def web_api_routes(api: WebApi) -> list[Route]:
    """`/api/{method}` for the Web API, and `/hooks/{token}` for response URLs."""

    async def call(request: Request) -> Response:
        try:
            params = await _params(request)
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"ok": False, "error": "invalid_json"})
        authorization = request.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or str(params.pop("token", "") or "")
        return JSONResponse(await api.call(request.path_params["method"], params, token))

    async def hook(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        if not isinstance(body, dict):
            return PlainTextResponse("invalid_payload", status_code=400)
        if not await api.respond(request.path_params["token"], body):
            return PlainTextResponse("expired_url", status_code=404)
        return PlainTextResponse("ok")

    return [
        Route("/api/{method}", call, methods=["GET", "POST"]),
        Route("/hooks/{token}", hook, methods=["POST"]),
    ]
