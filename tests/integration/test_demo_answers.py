"""What the demo's Slack client does with the app's answers, against a scripted app: a form's errors, update,
push, clear and close; a command's answer; and what it refuses to send at all, as Slack's client does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.demo.client import TROUBLE, Place, SlackClient, as_sent
from app.demo.outgoing import SignedSender
from app.demo.store import SlackState
from app.demo.web_api import WebApi
from app.demo.workspace import CHANNEL_ID, SLACKBOT_ID, demo_workspace
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company

TOKEN = "xoxb-1111111111-2222222222-DemoAnswersTokenValue"
NAME = {"type": "plain_text_input", "action_id": "name"}
FORM = {
    "type": "modal",
    "callback_id": "form",
    "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name_block",
            "label": {"type": "plain_text", "text": "Name"},
            "element": NAME,
        },
        {"type": "section", "block_id": "info", "text": {"type": "mrkdwn", "text": "info"}},
    ],
}
FILLED = {"name_block": {"name": {"type": "plain_text_input", "value": "Ana"}}}


def titled(title: str) -> dict[str, Any]:
    return {**FORM, "title": {"type": "plain_text", "text": title}}


@dataclass
class ScriptedApp:
    """Answers each request with the next answer given, and keeps what it was sent."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def starlette(self) -> Starlette:
        async def events(request: Request) -> Response:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            self.received.append(json.loads(form["payload"]) if "payload" in form else form)
            status, body = self.answers.pop(0) if self.answers else (200, "")
            return JSONResponse(body, status_code=status) if body != "" else Response(status_code=status)

        return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@dataclass
class Desk:
    state: SlackState
    api: WebApi
    client: SlackClient
    app: ScriptedApp

    async def open(self, view: dict[str, Any], user: str = "U0MARTA") -> str:
        trigger = self.state.new_trigger(user)
        answer = await self.api.call("views.open", {"trigger_id": trigger, "view": view}, TOKEN)
        assert answer["ok"], answer
        return str(answer["view"]["id"])

    def titles(self, user: str = "U0MARTA") -> list[str]:
        return [v.body["title"]["text"] for v in self.state.stacks.get(user, [])]


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    state = SlackState(demo_workspace(demo_company()))
    sender = SignedSender("scripted-secret")
    app = ScriptedApp()
    async with serve_in_background(app.starlette()) as url:
        sender.app_url = url
        yield Desk(state, WebApi(state, TOKEN), SlackClient(state, sender, "http://stand-in"), app)
    await sender.aclose()


async def test_a_form_answered_with_errors_stays_open_and_shows_them(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    desk.app.answers.append((200, {"response_action": "errors", "errors": {"name_block": "Not that one."}}))
    assert await desk.client.submit("U0MARTA", view_id, FILLED) == {"name_block": "Not that one."}
    submitted = desk.app.received[0]
    assert submitted["type"] == "view_submission"
    assert submitted["view"]["state"]["values"] == FILLED
    assert desk.titles() == ["Form"]


async def test_errors_for_a_block_that_is_not_an_input_are_refused_as_slack_does(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    desk.app.answers.append((200, {"response_action": "errors", "errors": {"info": "x"}}))
    assert await desk.client.submit("U0MARTA", view_id, FILLED) == {"": TROUBLE}


async def test_a_form_is_updated_in_place_pushed_on_cleared_or_closed_as_answered(desk: Desk) -> None:
    first = await desk.open(FORM)
    desk.app.answers.append((200, {"response_action": "update", "view": titled("Updated")}))
    assert await desk.client.submit("U0MARTA", first, FILLED) == {}
    assert desk.titles() == ["Updated"]
    assert desk.state.stacks["U0MARTA"][0].id == first
    desk.app.answers.append((200, {"response_action": "push", "view": titled("Pushed")}))
    await desk.client.submit("U0MARTA", first, FILLED)
    assert desk.titles() == ["Updated", "Pushed"]
    pushed = desk.state.stacks["U0MARTA"][1].id
    desk.app.answers.append((200, ""))
    await desk.client.submit("U0MARTA", pushed, FILLED)
    assert desk.titles() == ["Updated"]
    desk.app.answers.append((200, {"response_action": "push", "view": titled("Pushed")}))
    await desk.client.submit("U0MARTA", first, FILLED)
    desk.app.answers.append((200, {"response_action": "clear"}))
    await desk.client.submit("U0MARTA", desk.state.stacks["U0MARTA"][1].id, FILLED)
    assert desk.titles() == []


async def test_a_form_missing_a_required_field_is_not_sent(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    assert await desk.client.submit("U0MARTA", view_id, {}) == {
        "name_block": "Please complete this required field."
    }
    assert desk.app.received == []


async def test_a_failed_submission_keeps_the_form_and_says_so(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    desk.app.answers.append((500, {"error": "boom"}))
    assert await desk.client.submit("U0MARTA", view_id, FILLED) == {"": TROUBLE}
    assert desk.titles() == ["Form"]


async def test_the_apps_update_of_a_form_waits_for_the_answer_to_its_submission(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    async with desk.state.holding_view(view_id):
        update = asyncio.create_task(
            desk.api.call("views.update", {"view_id": view_id, "view": titled("Later")}, TOKEN)
        )
        for _ in range(20):
            await asyncio.sleep(0)
        assert not update.done()
        assert desk.titles() == ["Form"]
    assert (await update)["ok"]
    assert desk.titles() == ["Later"]


async def test_a_command_is_answered_only_to_its_user_and_a_failure_is_told(desk: Desk) -> None:
    desk.app.answers.append((200, {"text": "Only for you"}))
    await desk.client.type("U0MARTA", CHANNEL_ID, "/staffing help")
    command = desk.app.received[0]
    assert (command["command"], command["text"], command["channel_id"]) == ("/staffing", "help", CHANNEL_ID)
    assert command["response_url"].startswith("http://stand-in/hooks/")
    [answer] = desk.state.conversations[CHANNEL_ID].messages
    assert (answer.text, answer.only_for) == ("Only for you", "U0MARTA")
    desk.app.answers.append((503, ""))
    await desk.client.type("U0MARTA", CHANNEL_ID, "/allocate")
    assert [n.text for n in desk.state.notices] == ["/allocate: the app answered HTTP 503"]


async def test_an_unknown_command_never_reaches_the_app(desk: Desk) -> None:
    await desk.client.type("U0MARTA", CHANNEL_ID, "/nosuch thing")
    assert desk.app.received == []
    [said] = desk.state.conversations[CHANNEL_ID].messages
    assert (said.user, said.only_for) == (SLACKBOT_ID, "U0MARTA")


def test_typed_text_is_sent_as_slacks_client_sends_it(desk: Desk) -> None:
    assert as_sent("<b> & @ana #staffing @nobody @here", desk.state) == (
        "&lt;b&gt; &amp; <@U0ANA|ana> <#C0STAFFING|staffing> @nobody <!here>"
    )


async def test_a_click_on_a_message_carries_the_message_and_a_response_url(desk: Desk) -> None:
    button = {
        "type": "button",
        "action_id": "go",
        "value": "v1",
        "text": {"type": "plain_text", "text": "Go"},
    }
    posted = await desk.api.call(
        "chat.postMessage",
        {
            "channel": CHANNEL_ID,
            "text": "t",
            "blocks": [{"type": "actions", "block_id": "a", "elements": [button]}],
        },
        TOKEN,
    )
    await desk.client.act("U0MARTA", Place(channel=CHANNEL_ID, ts=posted["ts"]), "a", "go", None, {})
    clicked = desk.app.received[0]
    assert clicked["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": CHANNEL_ID,
        "is_ephemeral": False,
    }
    assert clicked["message"]["ts"] == posted["ts"]
    assert clicked["actions"][0] | {"action_ts": "-"} == {
        "type": "button",
        "block_id": "a",
        "action_id": "go",
        "action_ts": "-",
        "text": button["text"],
        "value": "v1",
    }
    assert clicked["response_url"].startswith("http://stand-in/hooks/")
    assert desk.state.take_trigger(clicked["trigger_id"]) != "invalid_trigger_id"


async def test_a_change_in_a_form_carries_the_view_with_its_state(desk: Desk) -> None:
    view_id = await desk.open(FORM)
    await desk.client.act("U0MARTA", Place(view_id=view_id), "name_block", "name", {"value": "Bo"}, FILLED)
    changed = desk.app.received[0]
    assert changed["container"] == {"type": "view", "view_id": view_id}
    assert changed["view"]["state"]["values"] == FILLED
    assert changed["actions"][0]["value"] == "Bo"
