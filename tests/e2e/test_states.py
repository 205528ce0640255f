"""The request's message shows its real state first, and who did each step: through the real app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import StaffingRequest
from app.sandbox.core import Fault
from app.services.queries import get_request, requests_of
from app.slack.ids import Action, Block
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, option, running_world

APOLLO, MARTA = "1000", 13


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def request_message(world: World, request: StaffingRequest) -> dict[str, Any]:
    """The request's message in the channel as it stands: its last update, else as first posted."""
    updates = [u for u in world.slack.taken("chat.update") if u["ts"] == request.message_ts]
    if updates:
        return updates[-1]
    posts = [
        p for p in world.slack.taken("chat.postMessage") if p["channel"] == CHANNEL and "thread_ts" not in p
    ]
    return posts[0]


def first_line(message: dict[str, Any]) -> str:
    return str(message["blocks"][0]["text"]["text"]).split("\n")[0]


def who_did_what(message: dict[str, Any]) -> str:
    return str(message["blocks"][1]["elements"][0]["text"])


async def asked(world: World, user: str) -> StaffingRequest:
    (request, *_) = await requests_of(world.container.unit_of_work, user)
    return await get_request(world.container.unit_of_work, request.id)


async def marta_asks_and_ana_approves(world: World, day: str) -> StaffingRequest:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(world.last_view(), allocation_values("U0MARTA", day, None, "3"), "U0MARTA")
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))
    request = await asked(world, "U0MARTA")
    assert first_line(request_message(world, request)) == (
        "*:hourglass_flowing_sand: Waiting for approval from <@U0ANA> or <@U0IRENE>*"
    )
    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    await eventually(lambda: "Approved by <@U0ANA>" in who_did_what(request_message(world, request)))
    return request


async def test_a_delivered_request_says_done_and_who_did_each_step(world: World) -> None:
    request = await marta_asks_and_ana_approves(world, "2026-12-29")
    assert await world.deliver() == 1
    message = request_message(world, request)
    assert first_line(message) == "*:tada: Done*"
    steps = who_did_what(message).split(" · ")
    assert [s.split(" <!date")[0] for s in steps] == ["Asked by <@U0MARTA>", "Approved by <@U0ANA>", "Done"]
    assert steps[2].endswith(" by Staffdesk")


async def test_a_refused_token_shows_needs_an_administrator(world: World) -> None:
    world.sandbox.wethod.control.faults.append(
        Fault(status=401, method="POST", path_prefix="/api/people-all")
    )
    request = await marta_asks_and_ana_approves(world, "2026-12-30")
    assert await world.deliver() == 1
    message = request_message(world, request)
    assert first_line(message) == "*:rotating_light: Needs an administrator*"
    assert "Approved by <@U0ANA>" in who_did_what(message)


async def test_a_whitelist_already_there_says_so_rather_than_done(world: World) -> None:
    world.sandbox.wethod.state.add_whitelist(int(APOLLO), MARTA)
    await world.command("/whitelist", "<@U0MARTA|marta> apollo", "U0ANA")
    await eventually(lambda: len(world.slack.called("views.update")) == 1)
    values = {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": "U0MARTA"}},
        Block.PROJECT: {Action.PROJECT: option(APOLLO)},
    }
    await world.submit(world.last_view("views.update"), values, "U0ANA")
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))
    request = await asked(world, "U0ANA")
    await world.deliver()
    message = request_message(world, request)
    assert first_line(message) == "*:ballot_box_with_check: Already there*"
    assert "Approved at once" in who_did_what(message)
