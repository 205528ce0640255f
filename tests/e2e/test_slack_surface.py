"""Signatures, option loads, App Home and /staffing, through the real app over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action
from app.slack.metadata import ModalContext, dump_metadata
from tests.e2e.harness import SIGNING_SECRET, World, allocation_values, eventually, running_world, sign


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


COMMAND = urlencode(
    {"command": "/allocate", "text": "", "user_id": "U0MARTA", "channel_id": "C0X", "trigger_id": "t"}
)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(sign(COMMAND, secret="not-the-signing-secret"), id="forged"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="missing"),
        pytest.param(sign(COMMAND, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param({**sign(COMMAND), "X-Slack-Signature": "v0=" + "0" * 64}, id="tampered"),
    ],
)
async def test_a_request_without_a_valid_recent_signature_is_refused_and_changes_nothing(
    world: World, headers: dict[str, str]
) -> None:
    answer = await world.http.post("/slack/events", content=COMMAND, headers=headers)
    assert answer.status_code == 401
    assert world.slack.calls == []
    assert await requests_of(world.container.unit_of_work, "U0MARTA") == []


async def test_a_replay_of_a_valid_request_after_five_minutes_is_refused(world: World) -> None:
    old = int(time.time()) - 6 * 60
    answer = await world.http.post("/slack/events", content=COMMAND, headers=sign(COMMAND, timestamp=old))
    assert answer.status_code == 401
    assert world.slack.called("views.open") == []


async def test_a_body_changed_after_signing_is_refused(world: World) -> None:
    headers = sign(COMMAND)
    answer = await world.http.post(
        "/slack/events", content=COMMAND.replace("U0MARTA", "U0GIULIA"), headers=headers
    )
    assert answer.status_code == 401
    assert SIGNING_SECRET not in answer.text


async def options(world: World, value: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return await world.project_options(value, dump_metadata(ModalContext.model_validate(metadata)))


async def test_project_options_come_from_the_directory_of_the_right_upstream(world: World) -> None:
    wethod = await options(world, "apollo", {"kind": "allocation"})
    assert [o["text"]["text"] for o in wethod] == ["Apollo Website (JO-2026-0001)"]
    assert wethod[0]["value"] == "1000"
    procore = await options(world, "apollo", {"kind": "procore_project_person", "upstream": "procore"})
    assert procore[0]["value"] == str(world.sandbox.procore.state.projects[0]["id"])
    archived = await options(world, "", {"kind": "allocation"})
    labels = [o["text"]["text"] for o in archived]
    assert any(label.endswith("(archived)") for label in labels)
    assert labels.index(next(label for label in labels if label.endswith("(archived)"))) >= len(
        [label for label in labels if not label.endswith("(archived)")]
    )


async def test_app_home_lists_my_requests_and_the_approvals_waiting_for_me(world: World) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = allocation_values("U0MARTA", "2026-12-21", None, "6")
    await world.submit(world.last_view(), values, "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.update")))
    event = {
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {"type": "app_home_opened", "user": "U0ANA", "tab": "home"},
    }
    body = json.dumps({**event, "team_id": "T0ACME", "api_app_id": "A0STAFF"})
    headers = {**sign(body), "Content-Type": "application/json"}
    assert (await world.http.post("/slack/events", content=body, headers=headers)).status_code == 200
    await eventually(lambda: bool(world.slack.called("views.publish")))
    published = world.slack.called("views.publish")[-1]
    assert published["user_id"] == "U0ANA"
    home = json.dumps(published["view"])
    assert "Marta Gallo" in home
    assert Action.APPROVE in home


@pytest.mark.parametrize(
    ("word", "expected"), [("help", "/allocate"), ("mine", "no requests"), ("pending", "No approvals")]
)
async def test_staffing_answers_only_the_person_who_asked(world: World, word: str, expected: str) -> None:
    await world.command("/staffing", word, "U0MARTA")
    await eventually(lambda: bool(world.slack.responses))
    answer = world.slack.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert expected in json.dumps(answer)


async def test_an_event_delivered_again_by_slack_is_handled_once(world: World) -> None:
    event = {
        "type": "event_callback",
        "event_id": "Ev2",
        "team_id": "T0ACME",
        "api_app_id": "A0STAFF",
        "event": {"type": "app_home_opened", "user": "U0ANA", "tab": "home"},
    }
    body = json.dumps(event)
    first = await world.http.post(
        "/slack/events", content=body, headers={**sign(body), "Content-Type": "application/json"}
    )
    again = {
        **sign(body),
        "Content-Type": "application/json",
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    second = await world.http.post("/slack/events", content=body, headers=again)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers.get("X-Slack-No-Retry") == "1"  # answered without being handled again
    assert "X-Slack-No-Retry" not in first.headers
    await eventually(lambda: bool(world.slack.called("views.publish")))
    assert len(world.slack.called("views.publish")) == 1
