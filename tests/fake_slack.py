"""A fake Slack Web API served over HTTP on loopback: it records every call and answers like Slack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import serve_in_background

Answer = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class SlackCall:
    method: str
    params: dict[str, Any]
    token: str | None
    status: int = 200


@dataclass
class FakeSlack:
    """Users by id with their e-mails and Slack locales ("en-US" unless `locales` says otherwise), user
    groups by handle, and every call made."""

    users: dict[str, str] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)
    usergroups: dict[str, frozenset[str]] = field(default_factory=dict)
    calls: list[SlackCall] = field(default_factory=list)
    rate_limited: dict[str, list[int]] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    down: set[str] = field(default_factory=set)  # methods answered 500 until taken out again
    held: set[str] = field(default_factory=set)  # methods whose calls wait, unanswered, until `let_go()`
    holding: int = 0  # calls waiting now
    _let_go: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: int = 1_700_000_000

    def texts(self) -> list[str]:
        """Every message text posted or updated, and every response_url answer, in order."""
        found = [str(c.params.get("text", "")) for c in self.calls if c.method.startswith("chat.")]
        return found + [str(r.get("text", "")) for r in self.responses]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def taken(self, method: str) -> list[dict[str, Any]]:
        """The calls of `method` that Slack answered: what people can see."""
        return [c.params for c in self.calls if c.method == method and c.status == 200]

    def let_go(self) -> None:
        """Answer the calls held so far, and hold no more."""
        self.held = set()
        self._let_go.set()

    def limit_next(self, method: str, retry_after: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and Retry-After."""
        self.rate_limited.setdefault(method, []).extend([retry_after] * times)

    def next_ts(self) -> str:
        self._ts += 1
        return f"{self._ts}.000100"

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.answers:
            return self.answers[method](params)
        by_email = {v: k for k, v in self.users.items()}
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "team": "Acme",
                    "user": "staffdesk",
                    "user_id": "U0BOT",
                    "team_id": "T0ACME",
                }
            case "users.info":
                user = params.get("user", "")
                if user not in self.users:
                    return {"ok": False, "error": "user_not_found"}
                found = {"id": user, "profile": {"email": self.users[user]}}
                if str(params.get("include_locale")).lower() in {"1", "true"}:
                    found["locale"] = self.locales.get(user, "en-US")
                return {"ok": True, "user": found}
            case "users.lookupByEmail":
                found = by_email.get(params.get("email", ""))
                return (
                    {"ok": True, "user": {"id": found}}
                    if found
                    else {"ok": False, "error": "users_not_found"}
                )
            case "usergroups.list":
                groups = [
                    {"id": f"S{index:04d}", "handle": h} for index, h in enumerate(sorted(self.usergroups))
                ]
                return {"ok": True, "usergroups": groups}
            case "usergroups.users.list":
                handle = sorted(self.usergroups)[int(params["usergroup"][1:])]
                return {"ok": True, "users": sorted(self.usergroups[handle])}
            case "conversations.open":
                return {"ok": True, "channel": {"id": "D" + params.get("users", "X")[1:]}}
            case "chat.postMessage" | "chat.update":
                return {
                    "ok": True,
                    "channel": params.get("channel"),
                    "ts": params.get("ts") or self.next_ts(),
                }
            case "chat.getPermalink":
                channel, ts = params.get("channel", ""), params.get("message_ts", "")
                link = f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"
                return {"ok": True, "channel": channel, "permalink": link}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self.next_ts()}
            case "views.open" | "views.update" | "views.push" | "views.publish":
                return {"ok": True, "view": {"id": "V0VIEW", "hash": "h1", **(params.get("view") or {})}}
        return {"ok": True}


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for key, value in raw.items():
        if key in {"blocks", "view", "attachments"} and isinstance(value, str):
            value = json.loads(value)
        decoded[key] = value
    return decoded


def fake_slack_app(fake: FakeSlack) -> Starlette:
    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        if request.headers.get("content-type", "").startswith("application/json"):
            params = await request.json()
        else:
            body = (await request.body()).decode()
            params = dict(parse_qsl(body, keep_blank_values=True)) | dict(request.query_params)
        token = request.headers.get("authorization", "").removeprefix("Bearer ") or params.get("token")
        if method in fake.held:
            fake.holding += 1
            try:
                await fake._let_go.wait()
            finally:
                fake.holding -= 1
        call = SlackCall(method, _decode(params), token)
        fake.calls.append(call)
        if method in fake.down:
            call.status = 500
            return JSONResponse({"ok": False, "error": "fatal_error"}, status_code=500)
        waits = fake.rate_limited.get(method)
        if waits:
            call.status = 429
            retry_after = waits.pop(0)
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(retry_after)},
            )
        return JSONResponse(fake.answer(method, call.params))

    async def response_url(request: Request) -> Response:
        fake.responses.append(await request.json())
        return Response("ok")

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["GET", "POST"]),
            Route("/response/{token}", response_url, methods=["POST"]),
        ]
    )


@asynccontextmanager
async def serve_fake_slack(fake: FakeSlack) -> AsyncIterator[str]:
    """Serve `fake` on an ephemeral loopback port; yields the SLACK_API_URL to use."""
    async with serve_in_background(fake_slack_app(fake)) as url:
        yield f"{url}/api/"
