"""An approver approves an allocation for fewer days or fewer hours: the upstream gets exactly that, what
was asked is kept, and the requester and the request's message say what was changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import AllocationPayload
from app.services.queries import requests_of
from app.slack.ids import Action, Block, Callback
from tests.e2e.harness import World, allocation_values, eventually, running_world

MARTA, APOLLO = 13, 1000
MON, TUE, WED, THU, FRI = (date(2026, 12, d) for d in range(14, 19))


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def asked_for_a_week(world: World) -> str:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = allocation_values("U0MARTA", MON.isoformat(), FRI.isoformat(), "8")
    await world.submit(world.last_view(), values, "U0MARTA")
    await eventually(lambda: len(world.slack.taken("chat.postMessage")) >= 2)
    (request,) = await requests_of(world.container.unit_of_work, "U0MARTA")
    return request.id


async def opened_changes(world: World, request_id: str) -> dict[str, Any]:
    before = len(world.slack.called("views.open"))
    await world.click(Action.APPROVE_CHANGES, json.dumps({"request_id": request_id}), "U0ANA")
    await eventually(lambda: len(world.slack.called("views.open")) > before)
    view = world.last_view()
    assert view["callback_id"] == Callback.APPROVE_CHANGES
    return view


def changes(days: list[date], hours: str) -> dict[str, Any]:
    picked = [{"text": {"type": "plain_text", "text": d.isoformat()}, "value": d.isoformat()} for d in days]
    return {
        Block.DAYS: {Action.DAYS: {"type": "multi_static_select", "selected_options": picked}},
        Block.HOURS: {Action.HOURS: {"type": "number_input", "value": hours}},
    }


def dms_to(world: World, channel: str) -> list[str]:
    return [p["text"] for p in world.slack.taken("chat.postMessage") if p["channel"] == channel]


async def test_the_pm_approves_three_days_of_four_hours_and_only_those_are_created(world: World) -> None:
    request_id = await asked_for_a_week(world)
    question = next(p for p in world.slack.taken("chat.postMessage") if p["channel"] == "D0ANA")
    buttons = [e["text"]["text"] for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Approve", "Approve with changes", "Reject"]

    view = await opened_changes(world, request_id)
    days_block = next(b for b in view["blocks"] if b.get("block_id") == Block.DAYS)
    assert [o["text"]["text"] for o in days_block["element"]["initial_options"]] == [
        "Mon 14 Dec", "Tue 15 Dec", "Wed 16 Dec", "Thu 17 Dec", "Fri 18 Dec"
    ]  # fmt: skip
    hours_block = next(b for b in view["blocks"] if b.get("block_id") == Block.HOURS)
    assert hours_block["element"]["max_value"] == "8"

    answer = await world.submit(view, changes([MON, WED, FRI], "4"), "U0ANA")
    assert answer.status_code == 200
    assert not answer.content
    await world.deliver()

    live = [(a.date, a.hours) for a in world.sandbox.wethod.state.live_allocations() if a.person_id == MARTA]
    assert sorted(live) == [(MON, 4), (WED, 4), (FRI, 4)]
    async with world.container.unit_of_work() as uow:
        stored = await uow.requests.get(request_id)
        trail = await uow.requests.audit_trail(request_id)
    assert isinstance(stored.asked, AllocationPayload)
    assert stored.asked.hours == 8
    assert len(stored.asked.dates) == 5
    (changed,) = [e for e in trail if e.action == "approved_with_changes"]
    assert changed.actor == "U0ANA"
    assert changed.detail == {
        "hours": {"asked": 8, "approved": 4},
        "dropped_days": [TUE.isoformat(), THU.isoformat()],
    }

    said = "4 h a day instead of 8; not Tue 15 Dec, Thu 17 Dec"
    assert any(f"<@U0ANA> approved your request with changes: {said}." in t for t in dms_to(world, "D0MARTA"))
    updates = [u for u in world.slack.taken("chat.update") if u["channel"] == "C0STAFFING"]
    context = [e["text"] for b in updates[-1]["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any("Approved with changes by <@U0ANA>" in t and said in t for t in context)


async def test_more_hours_or_no_day_are_refused_next_to_the_field_and_nothing_is_decided(
    world: World,
) -> None:
    request_id = await asked_for_a_week(world)
    view = await opened_changes(world, request_id)

    answer = await world.submit(view, changes([MON], "9"), "U0ANA")
    assert answer.json() == {
        "response_action": "errors",
        "errors": {Block.HOURS: "The hours can be lowered, from 1 to the 8 asked, not raised."},
    }
    answer = await world.submit(view, changes([], "4"), "U0ANA")
    assert answer.json()["errors"] == {Block.DAYS: "Keep at least one day, or reject the request instead."}
    answer = await world.submit(view, changes([MON, TUE, WED, THU, FRI], "8"), "U0ANA")
    assert "Nothing was changed" in answer.json()["errors"][Block.DAYS]

    async with world.container.unit_of_work() as uow:
        stored = await uow.requests.get(request_id)
    assert stored.status.value == "pending_approval"
    assert stored.asked is None


async def test_only_an_asked_approver_may_approve_with_changes(world: World) -> None:
    request_id = await asked_for_a_week(world)
    view = await opened_changes(world, request_id)
    answer = await world.submit(view, changes([MON], "4"), "U0MARTA")
    assert answer.json()["errors"] == {Block.DAYS: "You cannot approve or reject your own request."}
