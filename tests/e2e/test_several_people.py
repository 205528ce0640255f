"""Several people in one allocation form: one request, one approval, each person's days in Wethod, and
each person's result in the thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import AllocationPayload
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.services.queries import requests_of
from app.slack.ids import Action, Block
from tests.e2e.harness import World, allocation_values, eventually, running_world, settled

APOLLO = 1000
MON, TUE, WED = date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def two_people(start: date, end: date, hours: str) -> dict[str, Any]:
    values = allocation_values("U0MARTA", start.isoformat(), end.isoformat(), hours)
    values[Block.PERSON] = {
        Action.PERSON: {"type": "multi_users_select", "selected_users": ["U0MARTA", "U0BRUNO"]}
    }
    return values


def person_of(world: World, email: str) -> int:
    return next(p.id for p in world.sandbox.wethod.state.persons.values() if p.email == email)


def apollo_days(world: World, person: int) -> list[tuple[date, int]]:
    return sorted(
        (a.date, a.hours)
        for a in world.sandbox.wethod.state.live_allocations()
        if (a.person_id, a.project_id) == (person, APOLLO) and MON <= a.date <= WED
    )


async def asked(world: World, by: str = "U0GIULIA") -> Any:
    await world.command("/allocate", "", by)
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(world.last_view(), two_people(MON, WED, "4"), by)
    (request,) = await settled(lambda: requests_of(world.container.unit_of_work, by), bool, seconds=10)
    return request


def thread(world: World, ts: str | None) -> list[str]:
    return [p["text"] for p in world.slack.taken("chat.postMessage") if p.get("thread_ts") == ts]


async def test_two_people_in_one_form_make_one_request_and_allocations_for_both(world: World) -> None:
    marta, bruno = (
        person_of(world, "marta.gallo@acme.example"),
        person_of(world, "bruno.colombo@acme.example"),
    )
    request = await asked(world)
    assert isinstance(request.payload, AllocationPayload)
    assert request.payload.people == (marta, bruno)
    await world.deliver()
    assert apollo_days(world, marta) == [(MON, 4), (TUE, 4), (WED, 4)]
    assert apollo_days(world, bruno) == [(MON, 4), (TUE, 4), (WED, 4)]
    async with world.container.unit_of_work() as uow:
        done = await uow.requests.get(request.id)
    assert done.status is RequestStatus.DELIVERED
    replies = thread(world, done.message_ts)
    assert any("Allocated 4 h a day for 3 days to each of 2 people in Wethod." in r for r in replies), replies
    (posted, *_) = [p for p in world.slack.taken("chat.postMessage") if p["channel"] == "C0STAFFING"]
    assert "Allocation: Marta Gallo and Bruno Colombo on Apollo" in posted["text"]


async def test_one_person_refused_does_not_hide_the_other_and_resubmit_asks_for_them_only(
    world: World,
) -> None:
    marta, bruno = (
        person_of(world, "marta.gallo@acme.example"),
        person_of(world, "bruno.colombo@acme.example"),
    )
    world.sandbox.wethod.control.faults.append(
        Fault(status=400, method="POST", path_prefix="/api/people-allocations")
    )
    request = await asked(world)
    await world.deliver()
    assert apollo_days(world, marta) == []
    assert apollo_days(world, bruno) == [(MON, 4), (TUE, 4), (WED, 4)]
    async with world.container.unit_of_work() as uow:
        failed = await uow.requests.get(request.id)
    assert failed.status is RequestStatus.FAILED
    reply = next(r for r in thread(world, failed.message_ts) if "refused" in r)
    assert "• *Bruno Colombo*: allocated" in reply
    assert "• *Marta Gallo*, " in reply
    assert "*Fix and resubmit* asks again for those refused only" in reply

    before = len(world.slack.called("views.open"))
    await world.click(Action.RESUBMIT, json.dumps({"request_id": request.id}), "U0GIULIA")
    await eventually(lambda: len(world.slack.called("views.open")) > before)
    who = next(b for b in world.last_view()["blocks"] if b.get("block_id") == Block.PERSON)
    assert who["element"]["initial_users"] == ["U0MARTA"]


async def test_the_command_text_takes_several_people(world: World) -> None:
    await world.command(
        "/allocate", "<@U0MARTA|marta> <@U0BRUNO|bruno> apollo 2026-12-14..2026-12-16 4h", "U0GIULIA"
    )
    await eventually(lambda: bool(world.slack.called("views.update")))
    view = world.last_view("views.update")
    who = next(b for b in view["blocks"] if b.get("block_id") == Block.PERSON)
    assert who["element"]["initial_users"] == ["U0MARTA", "U0BRUNO"]
    assert "<@U0MARTA> and <@U0BRUNO>" in view["blocks"][0]["elements"][0]["text"]
    preview = next(b for b in view["blocks"] if b.get("block_id") == Block.PREVIEW)
    assert "This will create 6 allocations, 3 for each of 2 people" in preview["text"]["text"]
    assert "*Bruno Colombo*" in preview["text"]["text"]


async def test_one_approval_covers_both_people_and_shows_each_one_s_days(world: World) -> None:
    bruno = person_of(world, "bruno.colombo@acme.example")
    world.sandbox.wethod.state.add_allocation(bruno, 1001, TUE, 6)
    request = await asked(world, by="U0MARTA")
    await world.tell_slack(request.id)
    questions = [p for p in world.slack.taken("chat.postMessage") if p["channel"] == "D0ANA"]
    assert len(questions) == 1, "one question to the approver, not one per person"
    text = json.dumps(questions[0]["blocks"])
    assert "The days, with what each person already has:" in text
    assert "*Bruno Colombo*" in text
    assert "Tue 15 Dec: 6 h already + 4 h :warning: *10 h, over 8*" in text
    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    await world.reaches(request.id, RequestStatus.APPROVED)
    await world.deliver()
    assert len(apollo_days(world, bruno)) == 3
    assert len(apollo_days(world, person_of(world, "marta.gallo@acme.example"))) == 3
