"""The approver decides with what the requester saw: the days with the hours already there, why they are
asked, the requester's note, when it expires; and the question reads as decided afterwards."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action, Block
from tests.e2e.harness import World, allocation_values, eventually, running_world

MARTA, APOLLO = 13, 1000


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def question_to(world: World, dm: str) -> dict[str, Any]:
    (question,) = [p for p in world.slack.taken("chat.postMessage") if p["channel"] == dm]
    return question


def shown(message: dict[str, Any]) -> str:
    """Every text of a message's blocks, in order, as the reader sees them."""
    texts = []
    for block in message["blocks"]:
        if block.get("text"):
            texts.append(block["text"]["text"])
        texts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(texts)


async def marta_asks(world: World, day: date, hours: str, note: str) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = allocation_values("U0MARTA", day.isoformat(), None, hours)
    values[Block.NOTE] = {Action.NOTE: {"type": "plain_text_input", "value": note}}
    await world.submit(world.last_view(), values, "U0MARTA")
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))


async def test_the_pm_sees_each_day_over_8_the_note_why_and_until_when(world: World) -> None:
    day = date(2026, 12, 28)
    world.sandbox.wethod.state.add_allocation(MARTA, APOLLO + 1, day, 7)
    await marta_asks(world, day, "5", "Client demo <!here>")
    text = shown(question_to(world, "D0ANA"))
    assert "Mon 28 Dec: 7 h already + 5 h :warning: *12 h, over 8*" in text
    assert "<@U0MARTA> wrote:\n>Client demo &lt;!here&gt;" in text
    assert (
        "You are asked because <@U0MARTA> may not plan people on projects run by others "
        "(planning.modify_other)." in text
    )
    assert "It expires <!date^" in text
    assert "Its thread is in <#C0STAFFING>." in text

    (request,) = await requests_of(world.container.unit_of_work, "U0MARTA")
    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    await eventually(lambda: any(u["channel"] == "D0ANA" for u in world.slack.taken("chat.update")))
    decided = [u for u in world.slack.taken("chat.update") if u["channel"] == "D0ANA"][-1]
    assert decided["text"].startswith("Decided: Allocation: Marta Gallo on Apollo Website")
    assert not any(b["type"] == "actions" for b in decided["blocks"])


async def test_a_past_day_says_why_the_fallback_is_asked(world: World) -> None:
    yesterday = world.container.approvals.today() - timedelta(days=1)
    await marta_asks(world, yesterday, "2", "Forgot to book it")
    text = shown(question_to(world, "D0GIULIA"))  # PMs may not change the past: the fallback is asked
    assert (
        "You are asked because <@U0MARTA> may not plan people on projects run by others, nor change the "
        "planning of today or past days (planning.modify_other, planning.modify_past)." in text
    )
