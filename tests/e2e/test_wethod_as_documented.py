"""Wethod as its pages document it, through the whole app: day-by-day reads for the allocation preview, and
the warning for a project whose timesheet whitelist is off, in the modal and in the thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.status import RequestStatus
from app.services.directory import refresh_directory
from app.services.queries import get_request, requests_of
from app.slack.ids import Action, Block
from tests.e2e.harness import World, allocation_values, eventually, option, running_world

ALLOCATIONS = "/api/people-allocations"
APOLLO, BOREALIS, CASCADE, DELTA = 1000, 1001, 1002, 1003  # Delta ERP Rollout's whitelist is off in the demo
MARTA = 13
OFF_NOTE = (
    "note: the project's timesheet whitelist is off in Wethod, so it takes effect only once it is turned on."
)


def warning(project: str, person: str) -> str:
    return (
        f":warning: The timesheet whitelist of {project} is off in Wethod: adding {person} changes nothing "
        "until a Wethod admin turns it on."
    )


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def whitelist_values(user: str, project: int) -> dict[str, Any]:
    return {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": user}},
        Block.PROJECT: {Action.PROJECT: option(str(project))},
    }


async def change(world: World, values: dict[str, Any], action: str, block: str, user: str) -> dict[str, Any]:
    """A field of the last opened modal changed to `values`, as Slack reports it; the view it becomes."""
    view = {**world.last_view(), "id": "V0VIEW", "hash": "h1", "state": {"values": values}}
    before = len(world.slack.called("views.update"))
    changed = {"action_id": action, "block_id": block, **values[block][action]}
    await world.interact(
        {
            "type": "block_actions",
            "user": {"id": user},
            "view": view,
            "container": {"type": "view"},
            "actions": [changed],
        }
    )
    await eventually(lambda: len(world.slack.called("views.update")) > before)
    return world.last_view("views.update")


def context_texts(view: dict[str, Any]) -> list[str]:
    return [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]


async def between_filter_status(world: World) -> int:
    """What the Wethod behind the app answers to a `bt:` date filter."""
    env = world.sandbox.env
    headers = {
        "Authorization": f"Bearer {env['WETHOD_TOKEN']}",
        "Wethod-Company": env["WETHOD_COMPANY"],
        "Wethod-Version": env["WETHOD_VERSION"],
    }
    async with httpx.AsyncClient(base_url=env["WETHOD_BASE_URL"], headers=headers) as raw:
        answer = await raw.get(ALLOCATIONS, params={"date": "bt:2026-12-07,2026-12-11", "person_id": MARTA})
    return answer.status_code


async def test_the_allocation_preview_shows_the_hours_of_each_day_of_a_range_without_a_between_filter(
    world: World,
) -> None:
    state = world.sandbox.wethod.state
    state.add_allocation(MARTA, BOREALIS, date(2026, 12, 8), 6)
    state.add_allocation(MARTA, BOREALIS, date(2026, 12, 10), 1)
    state.add_allocation(MARTA, CASCADE, date(2026, 12, 10), 2)
    state.add_allocation(MARTA, BOREALIS, date(2026, 12, 14), 8)
    state.delete_allocation(state.add_allocation(MARTA, CASCADE, date(2026, 12, 9), 5).id)
    assert await between_filter_status(world) == 400
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    read_before = len(world.sandbox.wethod.control.calls_to("GET", ALLOCATIONS))

    values = allocation_values("U0MARTA", "2026-12-07", "2026-12-11", "4")
    view = await change(world, values, Action.HOURS, Block.HOURS, "U0MARTA")

    preview = next(b for b in view["blocks"] if b.get("block_id") == Block.PREVIEW)["text"]["text"]
    assert preview.splitlines() == [
        "*This will create 5 allocations:*",
        "• Mon 7 Dec: 0 h already + 4 h → 4 h",
        "• Tue 8 Dec: 6 h already + 4 h :warning: *10 h, over 8*",
        "• Wed 9 Dec: 0 h already + 4 h → 4 h",
        "• Thu 10 Dec: 3 h already + 4 h → 7 h",
        "• Fri 11 Dec: 0 h already + 4 h → 4 h",
    ]
    reads = world.sandbox.wethod.control.calls_to("GET", ALLOCATIONS)[read_before:]
    assert [c.status for c in reads] == [200] * 5


async def test_picking_a_project_whose_whitelist_is_off_warns_in_the_modal_before_sending(
    world: World,
) -> None:
    await world.command("/whitelist", "", "U0ANA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    assert not any(":warning:" in t for t in context_texts(world.last_view()))

    off = await change(world, whitelist_values("U0MARTA", DELTA), Action.PROJECT, Block.PROJECT, "U0ANA")
    on = await change(world, whitelist_values("U0MARTA", APOLLO), Action.PROJECT, Block.PROJECT, "U0ANA")

    assert warning("Delta ERP Rollout", "Marta Gallo") in context_texts(off)
    assert not any(":warning:" in t for t in context_texts(on))
    assert await requests_of(world.container.unit_of_work, "U0ANA") == []


async def refresh_the_directory(world: World) -> None:
    for source in world.container.directory_sources:
        await refresh_directory(
            source, world.container.unit_of_work, world.container.clock, index=world.container.directory_index
        )


async def test_a_whitelist_on_a_project_whose_whitelist_is_off_is_warned_from_the_start_and_in_the_thread(
    world: World,
) -> None:
    wethod = world.sandbox.wethod.state
    wethod.update_project(APOLLO, name="Apollo <Website> & Co", is_timesheet_whitelist_enabled=False)
    await refresh_the_directory(world)

    await world.command("/whitelist", "<@U0MARTA|marta> apollo", "U0ANA")
    await eventually(lambda: len(world.slack.called("views.update")) == 1)
    modal = world.last_view("views.update")
    assert warning("Apollo &lt;Website&gt; &amp; Co", "Marta Gallo") in context_texts(modal)

    await world.submit(modal, whitelist_values("U0MARTA", APOLLO), "U0ANA")
    await eventually(lambda: any("approved" in json.dumps(v) for v in world.slack.called("views.update")[1:]))
    (request,) = await requests_of(world.container.unit_of_work, "U0ANA")
    await world.deliver()
    request = await get_request(world.container.unit_of_work, request.id)
    assert request.status is RequestStatus.DELIVERED
    assert wethod.whitelist_entry(APOLLO, MARTA) is not None
    replies = [
        p["text"]
        for p in world.slack.called("chat.postMessage")
        if p.get("thread_ts") == request.message_ts and p["text"].startswith(":tada: Done: ")
    ]
    assert len(replies) == 1
    assert f"Added to the project's timesheet whitelist in Wethod; {OFF_NOTE}" in replies[0]
