"""What the stand-in sends the app, as Slack sends it: slash commands, interactions and events, signed with
the signing secret and posted to the app's /slack/events."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from app.demo.blockkit import Json
from app.demo.workspace import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, SlackUser

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
ANSWER_SECONDS = 3.0  # how long Slack waits for the app's answer; the stand-in waits longer, see below
WAIT_SECONDS = 15.0  # a demo on a slow machine still goes on, and a late answer is logged as late


def signature_headers(secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Slack's signature of `body` sent at `timestamp`: v0=HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    signed = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


@dataclass(frozen=True)
class AppAnswer:
    """The app's HTTP answer: its status (0 when it could not be reached), JSON body if any, and time."""

    status: int
    body: Json | None
    text: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def late(self) -> bool:
        return self.seconds > ANSWER_SECONDS

    def problem(self) -> str:
        """What Slack's client says when the app did not answer well."""
        if self.status == 0:
            return f"the app could not be reached ({self.text})"
        return f"the app answered HTTP {self.status}"


class SignedSender:
    """Posts to the app at `app_url` (set once the app is up) what Slack would post, signed."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret
        self._clock = clock
        self.app_url: str | None = None
        self._http = httpx.AsyncClient(timeout=WAIT_SECONDS)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def form(self, fields: dict[str, str]) -> AppAnswer:
        return await self._send(urlencode(fields), "application/x-www-form-urlencoded")

    async def interaction(self, payload: Json) -> AppAnswer:
        return await self.form({"payload": json.dumps(payload)})

    async def event(self, body: Json) -> AppAnswer:
        return await self._send(json.dumps(body), "application/json")

    async def _send(self, body: str, content_type: str) -> AppAnswer:
        if self.app_url is None:
            return AppAnswer(0, None, "it is not running", 0.0)
        headers = signature_headers(self._secret, body, int(self._clock()))
        headers |= {"Content-Type": content_type, "User-Agent": USER_AGENT}
        started = time.monotonic()
        try:
            response = await self._http.post(
                f"{self.app_url}/slack/events", content=body.encode(), headers=headers
            )
        except httpx.HTTPError as error:
            return AppAnswer(0, None, type(error).__name__, time.monotonic() - started)
        seconds = time.monotonic() - started
        parsed: Any = None
        if response.headers.get("content-type", "").startswith("application/json") and response.content:
            try:
                parsed = response.json()
            except ValueError:
                parsed = None
        return AppAnswer(
            response.status_code, parsed if isinstance(parsed, dict) else None, response.text, seconds
        )


def user_ref(user: SlackUser) -> Json:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID}


def team_ref() -> Json:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def command_fields(
    user: SlackUser,
    channel_id: str,
    channel_name: str,
    command: str,
    text: str,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    return {
        "token": "demo-verification-token",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def interaction(kind: str, user: SlackUser, **fields: Any) -> Json:
    """An interaction payload of `kind` (block_actions, view_submission, ...) from `user`."""
    return {
        "type": kind,
        "user": user_ref(user),
        "api_app_id": APP_ID,
        "token": "demo-verification-token",
        "team": team_ref(),
        "enterprise": None,
        "is_enterprise_install": False,
        **fields,
    }


def home_opened(user: SlackUser, channel_id: str, tab: str, view: Json | None, now: float) -> Json:
    event: Json = {
        "type": "app_home_opened",
        "user": user.id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{now:.6f}",
    }
    if view is not None:
        event["view"] = view
    return {
        "token": "demo-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{int(now * 1000):X}",
        "event_time": int(now),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
        ],
        "is_ext_shared_channel": False,
    }
