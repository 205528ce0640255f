"""What the demo's stand-in sends the app: Slack's requests, signed with the signing secret so that the app's
own check (slack_sdk's SignatureVerifier, as app/web.py uses it) takes them, and nothing else does."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import Clock, SignatureVerifier
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.demo import outgoing
from app.demo.outgoing import SignedSender, signature_headers
from app.demo.workspace import TEAM_ID, demo_workspace
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from app.web import recently_signed

SECRET = "demo0signing0secret0for0the0tests"


@dataclass
class Received:
    body: str
    headers: Headers


@dataclass
class App:
    """A stand-in for the app: records each request and answers with `status`."""

    status: int = 200
    received: list[Received] = field(default_factory=list)

    def starlette(self) -> Starlette:
        async def events(request: Request) -> Response:
            self.received.append(Received((await request.body()).decode(), request.headers))
            return JSONResponse({"seen": True}, status_code=self.status)

        return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@pytest.fixture
async def sent() -> AsyncIterator[tuple[SignedSender, App]]:
    app = App()
    sender = SignedSender(SECRET)
    async with serve_in_background(app.starlette()) as url:
        sender.app_url = url
        yield sender, app
    await sender.aclose()


def valid(received: Received, secret: str = SECRET) -> bool:
    return SignatureVerifier(secret).is_valid_request(received.body, dict(received.headers))


async def test_a_slash_command_is_a_signed_form_as_slack_posts_it(sent: tuple[SignedSender, App]) -> None:
    sender, app = sent
    marta = demo_workspace(demo_company()).by_name("marta")
    assert marta is not None
    fields = outgoing.command_fields(
        marta, "C0STAFFING", "staffing", "/allocate", "apollo 4h", "t.1", "http://x/h"
    )
    answer = await sender.form(fields)
    assert answer.ok
    assert answer.body == {"seen": True}
    [received] = app.received
    assert valid(received)
    assert not valid(received, "another0secret")
    assert recently_signed(received.headers, time.time())
    assert received.headers["content-type"] == "application/x-www-form-urlencoded"
    assert received.headers["user-agent"].startswith("Slackbot 1.0")
    form = {k: v[0] for k, v in parse_qs(received.body).items()}
    assert form["command"] == "/allocate"
    assert form["text"] == "apollo 4h"
    assert (form["user_id"], form["team_id"], form["trigger_id"]) == ("U0MARTA", TEAM_ID, "t.1")


async def test_interactions_and_events_are_signed_too(sent: tuple[SignedSender, App]) -> None:
    sender, app = sent
    marta = demo_workspace(demo_company()).by_name("marta")
    assert marta is not None
    await sender.interaction(outgoing.interaction("block_actions", marta, actions=[{"action_id": "a"}]))
    await sender.event(outgoing.home_opened(marta, "D0MARTA", "home", None, time.time()))
    clicked, opened = app.received
    assert valid(clicked)
    assert valid(opened)
    payload = json.loads(parse_qs(clicked.body)["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U0MARTA"
    assert payload["team"]["id"] == TEAM_ID
    assert opened.headers["content-type"] == "application/json"
    event = json.loads(opened.body)
    assert event["type"] == "event_callback"
    assert event["event"] == {
        "type": "app_home_opened",
        "user": "U0MARTA",
        "channel": "D0MARTA",
        "tab": "home",
        "event_ts": event["event"]["event_ts"],
    }


class TenSecondsLater(Clock):
    def now(self) -> float:
        return 1_796_000_010.0


def test_the_signature_is_slacks_v0_hmac_of_the_timestamp_and_body() -> None:
    headers = signature_headers(SECRET, "a=1", 1_796_000_000)
    verifier = SignatureVerifier(SECRET, clock=TenSecondsLater())
    assert verifier.is_valid("a=1", "1796000000", headers["X-Slack-Signature"])
    assert not verifier.is_valid("a=2", "1796000000", headers["X-Slack-Signature"])
    assert headers["X-Slack-Signature"] == verifier.generate_signature(timestamp="1796000000", body="a=1")


async def test_an_app_that_fails_or_is_down_is_told_apart(sent: tuple[SignedSender, App]) -> None:
    sender, app = sent
    app.status = 500
    failed = await sender.form({"command": "/staffing"})
    assert (failed.ok, failed.problem()) == (False, "the app answered HTTP 500")
    sender.app_url = "http://127.0.0.1:9"
    down = await sender.form({"command": "/staffing"})
    assert down.status == 0
    assert down.problem().startswith("the app could not be reached")
    sender.app_url = None
    assert (await sender.form({})).problem() == "the app could not be reached (it is not running)"
