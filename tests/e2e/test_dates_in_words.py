"""Days written as people write them, and a country's holidays, through the real app over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action, Block
from tests.e2e.harness import World, allocation_values, eventually, running_world, settled

TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
MARTA, APOLLO = 13, 1000


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(
        engine, tmp_path, clock=lambda: TODAY, env={"STAFFDESK_HOLIDAYS": "IT"}
    ) as running:
        yield running


def fields(view: dict[str, object]) -> dict[str, dict[str, object]]:
    return {b["block_id"]: b for b in view["blocks"] if isinstance(b, dict) and "block_id" in b}


async def test_next_week_and_hours_in_words_fill_in_the_allocation_form(world: World) -> None:
    await world.command("/allocate", "<@U0MARTA|marta> Apollo next week 4h", "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.update")))
    form = fields(world.last_view("views.update"))
    assert form[Block.START]["element"]["initial_date"] == "2026-12-07"
    assert form[Block.END]["element"]["initial_date"] == "2026-12-11"
    assert form[Block.HOURS]["element"]["initial_value"] == "4"
    preview = str(form[Block.PREVIEW]["text"]["text"])
    assert "Tue 8 Dec: holiday: Immaculate Conception, skipped" in preview
    assert "This will create 4 allocations" in preview


async def test_a_range_over_epiphany_creates_nothing_on_it(world: World) -> None:
    await world.command("/allocate", "", "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(
        world.last_view(), allocation_values("U0MARTA", "2027-01-04", "2027-01-08", "4"), "U0GIULIA"
    )
    await settled(lambda: requests_of(world.container.unit_of_work, "U0GIULIA"), bool, seconds=10)
    await world.deliver()
    made = sorted(
        a.date
        for a in world.sandbox.wethod.state.live_allocations()
        if (a.person_id, a.project_id) == (MARTA, APOLLO) and a.date.year == 2027
    )
    assert made == [date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 8)]


async def test_a_range_of_holidays_alone_is_refused_next_to_the_field(world: World) -> None:
    await world.command("/allocate", "", "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    answer = await world.submit(
        world.last_view(), allocation_values("U0MARTA", "2026-12-25", "2026-12-25", "4"), "U0GIULIA"
    )
    errors = answer.json()["errors"]
    assert errors == {Block.START: "Fri 25 Dec is a holiday (Christmas Day): pick working days."}


async def test_the_form_reads_days_in_words_says_what_it_understood_and_refuses_what_it_did_not(
    world: World,
) -> None:
    await world.command("/allocate", "", "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    form = world.last_view()
    values = allocation_values("U0MARTA", "", None, "4")
    values[Block.START] = {Action.START: {"type": "datepicker", "selected_date": None}}
    values[Block.WHEN] = {Action.WHEN: {"type": "plain_text_input", "value": "dal 14 al 16 dicembre"}}
    await world.click(
        Action.WHEN, "", "U0GIULIA", in_view={**form, "id": "V1", "hash": "h1", "state": {"values": values}}
    )
    await eventually(lambda: bool(world.slack.called("views.update")))
    shown = fields(world.last_view("views.update"))
    assert shown[Block.WHEN_SAID]["elements"][0]["text"] == "Understood as Mon 14 – Wed 16 Dec."
    assert "This will create 3 allocations" in shown[Block.PREVIEW]["text"]["text"]

    values[Block.WHEN] = {Action.WHEN: {"type": "plain_text_input", "value": "someday soon"}}
    answer = await world.submit(form, values, "U0GIULIA")
    assert answer.json()["errors"] == {
        Block.WHEN: "“someday soon” is not understood as days. "
        "Try “next week”, “mon to wed” or “3 dec”, or pick the dates."
    }

    values[Block.WHEN] = {Action.WHEN: {"type": "plain_text_input", "value": "dal 14 al 16 dicembre"}}
    await world.submit(form, values, "U0GIULIA")
    await settled(lambda: requests_of(world.container.unit_of_work, "U0GIULIA"), bool, seconds=10)
    await world.deliver()
    made = sorted(
        a.date
        for a in world.sandbox.wethod.state.live_allocations()
        if (a.person_id, a.project_id) == (MARTA, APOLLO)
    )
    assert made == [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)]
