"""Signed payloads from a workspace other than the one Staffdesk is installed in are refused and logged."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, running_world, sign

OTHER = "T0OTHER"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def command_from(world: World, team_id: str, user: str = "U0MARTA") -> httpx.Response:
    body = urlencode(
        {
            "command": "/allocate",
            "text": "",
            "user_id": user,
            "channel_id": CHANNEL,
            "team_id": team_id,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "response_url": f"{world.slack_url.removesuffix('api/')}response/cmd",
        }
    )
    return await world.http.post("/slack/events", content=body, headers=sign(body))


async def one_more_modal(world: World) -> None:
    """A command from the installed workspace, answered: whatever was sent before it has been handled."""
    before = len(world.slack.called("views.open"))
    answer = await command_from(world, "T0ACME", "U0ANA")
    assert answer.status_code == 200
    await eventually(lambda: len(world.slack.called("views.open")) > before)


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "refused a Slack payload" in r.getMessage()
    ]


async def test_a_slash_command_from_another_workspace_opens_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    answer = await command_from(world, OTHER)
    await one_more_modal(world)
    assert answer.status_code == 403
    assert len(world.slack.called("views.open")) == 1  # only the installed workspace's
    (line,) = refusals(caplog)
    assert OTHER in line


async def test_an_interaction_from_another_workspace_changes_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    view = world.last_view()
    caplog.set_level(logging.WARNING)
    values = allocation_values("U0MARTA", "2026-12-21", None, "4")
    submission: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": OTHER},
        "user": {"id": "U0MARTA"},
        "view": {**view, "id": "V0VIEW", "hash": "h1", "state": {"values": values}},
        "trigger_id": "trigger-submit",
    }
    answer = await world.interact(submission)
    click = await world.interact(
        {
            "type": "block_actions",
            "team": {"id": OTHER},
            "user": {"id": "U0ANA"},
            "actions": [
                {"action_id": Action.APPROVE, "block_id": "b", "value": json.dumps({"request_id": "r"})}
            ],
        }
    )
    await one_more_modal(world)
    assert (answer.status_code, click.status_code) == (403, 403)
    assert await requests_of(world.container.unit_of_work, "U0MARTA") == []
    assert world.slack.called("views.update") == []
    assert len(refusals(caplog)) == 2
    assert all(OTHER in line for line in refusals(caplog))


async def test_the_installed_workspace_is_still_served(world: World) -> None:
    answer = await command_from(world, "T0ACME")
    assert answer.status_code == 200
    await eventually(lambda: bool(world.slack.called("views.open")))


async def test_slacks_url_verification_carries_no_workspace_and_is_still_answered(world: World) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c0ffee", "token": "legacy"})
    headers = {**sign(body), "Content-Type": "application/json"}
    answer = await world.http.post("/slack/events", content=body, headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "c0ffee"}
