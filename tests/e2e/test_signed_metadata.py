"""A modal whose private_metadata was changed on its way back is refused next to its first field."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Block
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, running_world

NOT_VERIFIED = "This form could not be verified; close it and open it again."


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def opened_allocation_modal(world: World) -> dict[str, Any]:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    return world.last_view()


def with_channel(signed: str, channel: str) -> str:
    """The same signature over changed metadata: what a forger can send without the key."""
    signature, _, text = signed.partition(".")
    return f"{signature}.{json.dumps(json.loads(text) | {'channel_id': channel})}"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda signed: with_channel(signed, "C0ELSEWHERE"), id="channel-changed"),
        pytest.param(lambda signed: json.dumps({"kind": "allocation", "channel_id": CHANNEL}), id="unsigned"),
    ],
)
async def test_a_submission_with_forged_metadata_is_refused_next_to_a_field_and_stores_nothing(
    world: World, forge: Callable[[str], str]
) -> None:
    view = await opened_allocation_modal(world)
    forged = {**view, "private_metadata": forge(view["private_metadata"])}
    answer = await world.submit(forged, allocation_values("U0MARTA", "2026-12-21", None, "4"), "U0MARTA")
    assert answer.json() == {"response_action": "errors", "errors": {Block.PERSON: NOT_VERIFIED}}
    assert await requests_of(world.container.unit_of_work, "U0MARTA") == []


async def test_the_metadata_the_app_signed_is_accepted(world: World) -> None:
    view = await opened_allocation_modal(world)
    answer = await world.submit(view, allocation_values("U0MARTA", "2026-12-21", None, "4"), "U0MARTA")
    assert answer.json()["response_action"] == "update", answer.text
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))
    (request,) = await requests_of(world.container.unit_of_work, "U0MARTA")
    assert request.channel_id == CHANNEL
