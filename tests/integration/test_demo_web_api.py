"""The demo's Slack stand-in answers the Web API methods the app calls as Slack does, through slack_sdk's own
client over HTTP: `ok` with Slack's fields, or `ok: false` with Slack's error name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.demo.client import SlackClient
from app.demo.outgoing import SignedSender
from app.demo.page import build_stand_in
from app.demo.snapshot import snapshot
from app.demo.store import SlackState
from app.demo.web_api import WebApi
from app.demo.workspace import CHANNEL_ID, RESOURCING_ID, TEAM_ID, demo_workspace
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company

TOKEN = "xoxb-1111111111-2222222222-DemoStandInTokenValue"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": [SECTION]}


@dataclass
class Clock:
    now: float = 1_796_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class StandIn:
    url: str
    state: SlackState
    clock: Clock
    slack: AsyncWebClient
    http: httpx.AsyncClient

    async def refused(self, method: str, **params: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            await self.slack.api_call(method, json=params)
        assert raised.value.response["ok"] is False
        return str(raised.value.response["error"])


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    clock = Clock()
    state = SlackState(demo_workspace(demo_company()), clock=clock)
    sender = SignedSender("unused-secret")
    client = SlackClient(state, sender, base_url="")
    async with serve_in_background(build_stand_in(state, client, WebApi(state, TOKEN))) as url:
        client.base_url = url
        async with httpx.AsyncClient(base_url=url) as http:
            yield StandIn(url, state, clock, AsyncWebClient(token=TOKEN, base_url=f"{url}/api/"), http)
    await sender.aclose()


async def test_auth_test_names_the_workspace_and_other_tokens_are_refused(stand_in: StandIn) -> None:
    answer = await stand_in.slack.auth_test()
    assert answer["team_id"] == TEAM_ID
    assert answer["user_id"]
    assert answer["bot_id"]
    for token, error in [("xoxb-not-the-token", "invalid_auth"), ("", "not_authed")]:
        other = AsyncWebClient(token=token or None, base_url=f"{stand_in.url}/api/")
        with pytest.raises(SlackApiError) as raised:
            await other.auth_test()
        assert raised.value.response["error"] == error
    assert await stand_in.refused("chat.scheduleMessage", channel=CHANNEL_ID, text="x") == "unknown_method"


async def test_messages_go_to_the_channel_to_a_person_by_id_and_into_threads(stand_in: StandIn) -> None:
    posted = await stand_in.slack.chat_postMessage(channel=CHANNEL_ID, text="fallback", blocks=[SECTION])
    assert posted["channel"] == CHANNEL_ID
    assert posted["message"]["blocks"][0]["block_id"]  # Slack names every block
    reply = await stand_in.slack.chat_postMessage(channel=CHANNEL_ID, thread_ts=posted["ts"], text="reply")
    assert reply["message"]["thread_ts"] == posted["ts"]
    dm = await stand_in.slack.chat_postMessage(channel="U0ANA", text="for Ana")
    assert dm["channel"] == "D0ANA"
    opened = await stand_in.slack.conversations_open(users="U0ANA")
    assert opened["channel"]["id"] == "D0ANA"
    assert opened["already_open"] is True
    seen = snapshot(stand_in.state, "U0ANA")["conversations"]
    assert [m["html"] for m in seen[1]["messages"]] == ["for Ana"]
    assert [r["html"] for r in seen[0]["messages"][0]["replies"]] == ["reply"]
    assert all(c["id"] != "D0ANA" for c in snapshot(stand_in.state, "U0MARTA")["conversations"])
    attached = {"channel": CHANNEL_ID, "attachments": [{"text": "old style"}]}
    legacy = await stand_in.slack.api_call("chat.postMessage", json=attached)
    assert legacy["message"]["attachments"] == [{"text": "old style"}]
    assert snapshot(stand_in.state, "U0ANA")["conversations"][0]["messages"][-1]["attachments"] == 1


async def test_messages_slack_would_refuse_are_refused_with_slacks_errors(stand_in: StandIn) -> None:
    refused = stand_in.refused
    assert await refused("chat.postMessage", channel="C0NOWHERE", text="x") == "channel_not_found"
    assert await refused("chat.postMessage", channel=CHANNEL_ID) == "no_text"
    assert await refused("chat.postMessage", channel=CHANNEL_ID, text="x" * 40_001) == "msg_too_long"
    assert await refused("chat.postMessage", channel=CHANNEL_ID, blocks=[SECTION] * 51) == "invalid_blocks"
    long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert await refused("chat.postMessage", channel=CHANNEL_ID, blocks=[long]) == "invalid_blocks"
    assert await refused("conversations.open", users="U0NOBODY") == "user_not_found"
    assert stand_in.state.conversations[CHANNEL_ID].messages == []


async def test_only_the_apps_own_message_is_updated_and_ephemerals_reach_one_person(
    stand_in: StandIn,
) -> None:
    posted = await stand_in.slack.chat_postMessage(channel=CHANNEL_ID, text="asked")
    updated = await stand_in.slack.chat_update(
        channel=CHANNEL_ID, ts=posted["ts"], text="done", blocks=[SECTION]
    )
    assert updated["ts"] == posted["ts"]
    message = stand_in.state.find_message(CHANNEL_ID, posted["ts"])
    assert message is not None
    assert (message.text, len(message.blocks)) == ("done", 1)
    assert (
        await stand_in.refused("chat.update", channel=CHANNEL_ID, ts="1.000001", text="x")
        == "message_not_found"
    )
    await stand_in.http.post("/demo/type", json={"user": "U0MARTA", "channel": CHANNEL_ID, "text": "mine"})
    theirs = stand_in.state.conversations[CHANNEL_ID].messages[-1]
    assert (
        await stand_in.refused("chat.update", channel=CHANNEL_ID, ts=theirs.ts, text="x")
        == "cant_update_message"
    )
    whisper = await stand_in.slack.chat_postEphemeral(channel=CHANNEL_ID, user="U0MARTA", text="only you")
    assert whisper["message_ts"]
    assert await stand_in.refused("chat.postEphemeral", channel="D0ANA", user="U0MARTA", text="x") in {
        "channel_not_found",
        "user_not_in_channel",
    }
    texts = {
        u: [m["html"] for m in snapshot(stand_in.state, u)["conversations"][0]["messages"]]
        for u in ("U0MARTA", "U0ANA")
    }
    assert "only you" in texts["U0MARTA"]
    assert "only you" not in texts["U0ANA"]


async def test_people_are_found_by_id_and_email_and_the_group_by_its_id(stand_in: StandIn) -> None:
    info = await stand_in.slack.users_info(user="U0ANA", include_locale=True)
    assert info["user"]["profile"]["email"] == "ana.rossi@acme.example"
    assert info["user"]["locale"] == "en-US"
    found = await stand_in.slack.users_lookupByEmail(email="ANA.ROSSI@acme.example")
    assert found["user"]["id"] == "U0ANA"
    assert await stand_in.refused("users.info", user="U0NOBODY") == "user_not_found"
    assert await stand_in.refused("users.lookupByEmail", email="nobody@acme.example") == "users_not_found"
    groups = await stand_in.slack.usergroups_list()
    assert [(g["id"], g["handle"]) for g in groups["usergroups"]] == [(RESOURCING_ID, "resourcing")]
    members = await stand_in.slack.usergroups_users_list(usergroup=RESOURCING_ID)
    assert members["users"] == ["U0GIULIA"]
    assert await stand_in.refused("usergroups.users.list", usergroup="S0NONE") == "no_such_subteam"


async def test_a_trigger_opens_one_modal_within_three_seconds(stand_in: StandIn) -> None:
    trigger = stand_in.state.new_trigger("U0MARTA")
    opened = await stand_in.slack.views_open(trigger_id=trigger, view=MODAL)
    assert opened["view"]["id"] == opened["view"]["root_view_id"]
    assert [v.id for v in stand_in.state.stacks["U0MARTA"]] == [opened["view"]["id"]]
    assert await stand_in.refused("views.open", trigger_id=trigger, view=MODAL) == "exchanged_trigger_id"
    assert (
        await stand_in.refused("views.open", trigger_id="12345.made.up", view=MODAL) == "invalid_trigger_id"
    )
    late = stand_in.state.new_trigger("U0MARTA")
    stand_in.clock.now += 3.5
    assert await stand_in.refused("views.open", trigger_id=late, view=MODAL) == "expired_trigger_id"
    fresh = stand_in.state.new_trigger("U0MARTA")
    untitled = {**MODAL, "title": {"type": "plain_text", "text": "A title longer than twenty-four"}}
    assert await stand_in.refused("views.open", trigger_id=fresh, view=untitled) == "invalid_arguments"


async def test_views_are_updated_by_id_and_hash_pushed_up_to_three_and_home_is_published(
    stand_in: StandIn,
) -> None:
    opened = (await stand_in.slack.views_open(trigger_id=stand_in.state.new_trigger("U0MARTA"), view=MODAL))[
        "view"
    ]
    updated = (await stand_in.slack.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL))[
        "view"
    ]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert (
        await stand_in.refused("views.update", view_id=opened["id"], hash=opened["hash"], view=MODAL)
        == "hash_conflict"
    )
    assert await stand_in.refused("views.update", view_id="V0GONE", view=MODAL) == "not_found"
    for _ in range(2):
        await stand_in.slack.views_push(trigger_id=stand_in.state.new_trigger("U0MARTA"), view=MODAL)
    stack = stand_in.state.stacks["U0MARTA"]
    assert [v.body["root_view_id"] for v in stack] == [opened["id"]] * 3
    assert stack[2].body["previous_view_id"] == stack[1].id
    trigger = stand_in.state.new_trigger("U0MARTA")
    assert await stand_in.refused("views.push", trigger_id=trigger, view=MODAL) == "push_limit_reached"
    home = {"type": "home", "blocks": [SECTION]}
    published = (await stand_in.slack.views_publish(user_id="U0MARTA", view=home))["view"]
    assert stand_in.state.homes["U0MARTA"].id == published["id"]
    again = (await stand_in.slack.views_publish(user_id="U0MARTA", view=home, hash=published["hash"]))["view"]
    assert again["id"] == published["id"]
    assert await stand_in.refused("views.publish", user_id="U0MARTA", view=MODAL) == "invalid_arguments"


async def test_a_response_url_answers_in_place_only_for_its_user_or_in_the_channel_five_times(
    stand_in: StandIn,
) -> None:
    posted = await stand_in.slack.chat_postMessage(channel=CHANNEL_ID, text="question")
    hook = stand_in.state.new_hook("U0MARTA", CHANNEL_ID, posted["ts"])
    url = f"/hooks/{hook}"
    assert (await stand_in.http.post(url, json={"text": "just for you"})).text == "ok"
    assert (
        await stand_in.http.post(url, json={"text": "for all", "response_type": "in_channel"})
    ).status_code == 200
    assert (
        await stand_in.http.post(url, json={"text": "answered", "replace_original": True})
    ).status_code == 200
    messages = stand_in.state.conversations[CHANNEL_ID].messages
    assert [(m.text, m.only_for) for m in messages] == [
        ("answered", None),
        ("just for you", "U0MARTA"),
        ("for all", None),
    ]
    assert (await stand_in.http.post(url, json={"delete_original": True})).status_code == 200
    assert [m.text for m in stand_in.state.conversations[CHANNEL_ID].messages] == ["just for you", "for all"]
    assert (await stand_in.http.post(url, json={"text": "sixth"})).status_code == 200
    assert (await stand_in.http.post(url, json={"text": "too many"})).status_code == 404
    assert (await stand_in.http.post("/hooks/made-up", json={"text": "x"})).status_code == 404


async def test_the_page_is_served_and_only_json_from_this_host_is_taken(stand_in: StandIn) -> None:
    page = await stand_in.http.get("/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.text
    for name in ("demo.js", "blocks.js", "demo.css"):
        assert (await stand_in.http.get(f"/static/{name}")).status_code == 200
    assert (await stand_in.http.get("/", headers={"Host": "attacker.example"})).status_code == 400
    form = await stand_in.http.post(
        "/demo/type", content="user=U0MARTA", headers={"Content-Type": "text/plain"}
    )
    assert form.status_code == 415
    elsewhere = await stand_in.http.post(
        "/demo/type", json={"user": "U0ANA", "channel": "D0MARTA", "text": "x"}
    )
    assert elsewhere.status_code == 409
    state = (await stand_in.http.get("/demo/state", params={"user": "U0IRENE"})).json()
    assert state["me"] == "U0IRENE"
    assert [c["kind"] for c in state["conversations"]] == ["channel", "app"]
