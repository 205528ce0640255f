"""A delivered allocation is undone or changed from Slack: exactly what it made goes, once, through the
same permissions and approvals as asking for it, and every message says what happened."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.services.queries import requests_of
from app.slack.ids import Action, Block, Callback
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, option, running_world, settled

MARTA, APOLLO = 13, 1000
MON, TUE, WED, THU, FRI = (date(2026, 12, d) for d in range(14, 19))
ALLOCATIONS = "/api/people-allocations"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def ref(request_id: str) -> str:
    return json.dumps({"request_id": request_id})


async def allocated_week(world: World, by: str = "U0GIULIA", hours: str = "4") -> str:
    """`by` allocates Marta on Apollo Monday to Friday; the request is delivered; its id."""
    await world.command("/allocate", "", by)
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(
        world.last_view(), allocation_values("U0MARTA", MON.isoformat(), FRI.isoformat(), hours), by
    )
    await settled(lambda: originals(world, by), bool, seconds=10)
    await world.deliver()
    (request,) = await originals(world, by)
    assert request.status is RequestStatus.DELIVERED, request.result
    await world.tell_slack(request.id)
    return request.id


async def originals(world: World, by: str) -> list[StaffingRequest]:
    return [r for r in await requests_of(world.container.unit_of_work, by) if r.amends is None]


async def amendments(world: World, by: str) -> list[StaffingRequest]:
    """What `by` asked to undo or change, once it is stored (a click is answered before that)."""
    return await settled(lambda: _amendments(world, by), bool, seconds=10)


async def _amendments(world: World, by: str) -> list[StaffingRequest]:
    return [r for r in await requests_of(world.container.unit_of_work, by) if r.amends is not None]


def apollo_week(world: World) -> list[tuple[int, date, int]]:
    """Marta's live allocations on Apollo that week: (id, day, hours)."""
    return sorted(
        (a.id, a.date, a.hours)
        for a in world.sandbox.wethod.state.live_allocations()
        if (a.person_id, a.project_id) == (MARTA, APOLLO) and MON <= a.date <= FRI
    )


def last_copy(world: World, ts_of: str) -> dict[str, Any]:
    """The request's message in the channel as it reads now."""
    updates = [u for u in world.slack.taken("chat.update") if u["channel"] == CHANNEL and u["ts"] == ts_of]
    return updates[-1]


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def contexts(message: dict[str, Any]) -> str:
    return "\n".join(e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"])


def ephemeral_answers(world: World) -> list[str]:
    return [str(r["text"]) for r in world.slack.responses]


async def stored(world: World, request_id: str) -> Any:
    async with world.container.unit_of_work() as uow:
        return await uow.requests.get(request_id)


async def test_undo_of_a_five_day_allocation_deletes_exactly_those_five_once(world: World) -> None:
    original_id = await allocated_week(world)
    made = apollo_week(world)
    assert [(d, h) for _, d, h in made] == [(d, 4) for d in (MON, TUE, WED, THU, FRI)]
    original = await stored(world, original_id)
    message = last_copy(world, original.message_ts)
    assert buttons(message) == ["Change", "Undo"]
    undo = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Undo"
    )
    assert (
        "the 5 allocations it made in Wethod (4 h a day, Mon 14 – Fri 18 Dec)"
        in undo["confirm"]["text"]["text"]
    )

    await world.click(Action.UNDO, ref(original_id), "U0GIULIA")
    await world.click(Action.UNDO, ref(original_id), "U0GIULIA")  # a double click
    await eventually(lambda: len(world.slack.responses) >= 2)
    answers = ephemeral_answers(world)
    assert any("the undo is on its way" in a for a in answers)
    assert any("already has an undo or a change under way" in a for a in answers)
    await world.deliver()

    assert apollo_week(world) == []
    deletes = [c for c in world.sandbox.wethod.control.calls if c.method == "DELETE"]
    assert sorted(c.path for c in deletes) == sorted(f"{ALLOCATIONS}/{i}" for i, _, _ in made)
    undos = await _amendments(world, "U0GIULIA")
    assert len(undos) == 1
    (undo_request,) = undos
    assert undo_request.status is RequestStatus.DELIVERED
    assert undo_request.result is not None
    assert sorted(undo_request.result["removed"]) == sorted(str(i) for i, _, _ in made)

    await world.tell_slack(original_id)
    now = last_copy(world, original.message_ts)
    assert "Undone by <@U0GIULIA>" in contexts(now)
    assert buttons(now) == []
    undo_message = last_copy(world, undo_request.message_ts)
    assert buttons(undo_message) == [], "an undo is not undone"
    assert "Undo of an allocation" in undo_message["text"]
    replies = [
        p["text"] for p in world.slack.taken("chat.postMessage") if p.get("thread_ts") == original.message_ts
    ]
    assert any("Undone by <@U0GIULIA>: Deleted 5 allocations in Wethod." in r for r in replies)


async def test_an_undo_survives_a_lost_answer_and_a_503_and_deletes_each_once(world: World) -> None:
    original_id = await allocated_week(world)
    made = apollo_week(world)
    world.sandbox.wethod.control.faults.extend(
        [
            Fault(
                status=500, after_commit=True, method="DELETE", path_prefix=ALLOCATIONS
            ),  # deleted, answer lost
            Fault(status=503, method="DELETE", path_prefix=ALLOCATIONS),  # refused before it is done
        ]
    )
    await world.click(Action.UNDO, ref(original_id), "U0GIULIA")
    await eventually(lambda: bool(world.slack.responses))
    await world.deliver()

    assert apollo_week(world) == []
    done = [c for c in world.sandbox.wethod.control.calls if c.method == "DELETE" and c.status == 200]
    assert sorted(c.path for c in done) == sorted(f"{ALLOCATIONS}/{i}" for i, _, _ in made[1:])
    gone = [c for c in world.sandbox.wethod.control.calls if c.method == "DELETE" and c.status == 404]
    assert [c.path for c in gone] == [f"{ALLOCATIONS}/{made[0][0]}"], (
        "the lost answer's delete is not repeated"
    )
    deleted = [a for a in world.sandbox.wethod.state.allocations.values() if a.deleted_at is not None]
    assert sorted(a.id for a in deleted if a.project_id == APOLLO and MON <= a.date <= FRI) == [
        i for i, _, _ in made
    ]


async def test_an_undo_by_someone_who_may_not_goes_to_the_pm(world: World) -> None:
    original_id = await allocated_week(world)
    await world.click(Action.UNDO, ref(original_id), "U0MARTA")
    await eventually(lambda: bool(world.slack.responses))
    assert "The undo needs approval: <@U0ANA> or <@U0IRENE> are asked." in ephemeral_answers(world)[-1]
    (undo,) = await amendments(world, "U0MARTA")
    await world.tell_slack(undo.id)
    question = next(p for p in world.slack.taken("chat.postMessage") if p["channel"] == "D0ANA")
    assert "Undo of an allocation" in question["text"]
    assert buttons(question)[0] == "Approve"
    assert len(apollo_week(world)) == 5, "nothing goes before the PM approves"

    await world.click(Action.APPROVE, ref(undo.id), "U0ANA")
    await world.reaches(undo.id, RequestStatus.APPROVED)
    await world.deliver()
    assert apollo_week(world) == []
    await world.tell_slack(original_id)
    dm = [p["text"] for p in world.slack.taken("chat.postMessage") if p["channel"] == "D0GIULIA"]
    assert any("Undone by <@U0MARTA>" in t for t in dm), "the one who asked for it hears it was undone"


async def test_a_rejected_undo_leaves_everything_and_undo_is_offered_again(world: World) -> None:
    original_id = await allocated_week(world)
    await world.click(Action.UNDO, ref(original_id), "U0MARTA")
    await eventually(lambda: bool(world.slack.responses))
    (undo,) = await amendments(world, "U0MARTA")
    await world.click(Action.REJECT, ref(undo.id), "U0ANA")
    await eventually(lambda: world.last_view()["callback_id"] == Callback.REJECT)
    reason = {Block.REASON: {"reason": {"type": "plain_text_input", "value": "Marta is on it after all"}}}
    await world.submit(world.last_view(), reason, "U0ANA")
    await world.reaches(undo.id, RequestStatus.REJECTED)
    await world.tell_slack(original_id)
    original = await stored(world, original_id)
    assert original.amended_by is None
    assert buttons(last_copy(world, original.message_ts)) == ["Change", "Undo"]
    assert len(apollo_week(world)) == 5


async def test_a_change_from_five_days_of_four_hours_to_three_days_of_six(world: World) -> None:
    original_id = await allocated_week(world)
    before = {d: i for i, d, _ in apollo_week(world)}
    await world.click(Action.CHANGE, ref(original_id), "U0GIULIA")
    await eventually(lambda: world.last_view()["title"]["text"] == "Change allocation")
    form = world.last_view()
    preview = next(b for b in form["blocks"] if b.get("block_id") == Block.PREVIEW)
    assert "Nothing changes yet" in preview["text"]["text"]

    values = allocation_values("U0MARTA", MON.isoformat(), WED.isoformat(), "6")
    await world.click(
        Action.HOURS,
        "",
        "U0GIULIA",
        in_view={**form, "id": "V0CHANGE", "hash": "h1", "state": {"values": values}},
    )
    await eventually(lambda: "set to 6 h" in json.dumps(world.last_view("views.update")))
    shown = next(b for b in world.last_view("views.update")["blocks"] if b.get("block_id") == Block.PREVIEW)
    assert "• set to 6 h Mon 14 – Wed 16 Dec" in shown["text"]["text"]
    assert "• delete Thu 17 – Fri 18 Dec" in shown["text"]["text"]

    await world.submit(form, values, "U0GIULIA")
    (change,) = await amendments(world, "U0GIULIA")
    await world.reaches(change.id, RequestStatus.APPROVED)
    await world.deliver()
    after = apollo_week(world)
    assert [(d, h) for _, d, h in after] == [(MON, 6), (TUE, 6), (WED, 6)]
    assert [i for i, _, _ in after] == [before[MON], before[TUE], before[WED]], "changed in place, not remade"
    await world.tell_slack(original_id)
    original = await stored(world, original_id)
    now = contexts(last_copy(world, original.message_ts))
    assert "Changed by <@U0GIULIA>" in now
    assert "now 6 h a day, Mon 14 – Wed 16 Dec" in now

    change = await stored(world, original.amended_by)
    assert buttons(last_copy(world, change.message_ts)) == ["Change", "Undo"], "a change can be undone"


async def whitelisted(world: World, already: bool = False) -> str:
    """Ana (Apollo's PM) puts Marta on Apollo's timesheet whitelist; delivered; the request's id."""
    if already:
        world.sandbox.wethod.state.add_whitelist(APOLLO, MARTA)
    await world.command("/whitelist", "", "U0ANA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": "U0MARTA"}},
        Block.PROJECT: {Action.PROJECT: option(str(APOLLO))},
    }
    await world.submit(world.last_view(), values, "U0ANA")
    await settled(lambda: originals(world, "U0ANA"), bool, seconds=10)
    await world.deliver()
    (request,) = await originals(world, "U0ANA")
    await world.tell_slack(request.id)
    return request.id


async def test_a_whitelist_entry_is_undone_and_only_that_entry_goes(world: World) -> None:
    original_id = await whitelisted(world)
    world.sandbox.wethod.state.add_whitelist(APOLLO, 14)  # someone else's entry on the same project
    original = await stored(world, original_id)
    assert buttons(last_copy(world, original.message_ts)) == ["Undo"], "a whitelist entry has no Change"
    await world.click(Action.UNDO, ref(original_id), "U0ANA")
    await eventually(lambda: bool(world.slack.responses))
    await world.deliver()
    assert world.sandbox.wethod.state.whitelist_entry(APOLLO, MARTA) is None
    assert world.sandbox.wethod.state.whitelist_entry(APOLLO, 14) is not None
    (undo,) = await _amendments(world, "U0ANA")
    assert undo.result is not None
    assert undo.result["summary"] == "Taken off the project's timesheet whitelist in Wethod."


async def test_a_whitelist_entry_that_was_already_there_offers_no_undo(world: World) -> None:
    original_id = await whitelisted(world, already=True)
    original = await stored(world, original_id)
    assert buttons(last_copy(world, original.message_ts)) == []
    await world.click(Action.UNDO, ref(original_id), "U0ANA")  # a stale button, or a forged click
    await eventually(lambda: bool(world.slack.responses))
    assert "created nothing in Wethod" in ephemeral_answers(world)[-1]
    assert world.sandbox.wethod.state.whitelist_entry(APOLLO, MARTA) is not None


async def test_an_allocation_edited_in_wethod_since_is_left_and_reported(world: World) -> None:
    original_id = await allocated_week(world)
    made = apollo_week(world)
    world.sandbox.wethod.state.set_allocation_hours(made[2][0], 7)  # someone changed Wednesday in Wethod
    world.sandbox.wethod.state.delete_allocation(made[3][0])  # and deleted Thursday
    await world.click(Action.UNDO, ref(original_id), "U0GIULIA")
    await eventually(lambda: bool(world.slack.responses))
    await world.deliver()
    assert apollo_week(world) == [(made[2][0], WED, 7)]
    (undo,) = await _amendments(world, "U0GIULIA")
    replies = [
        p["text"] for p in world.slack.taken("chat.postMessage") if p.get("thread_ts") == undo.message_ts
    ]
    said = (
        "Deleted 4 allocations in Wethod. Already gone from Wethod: Thu 17 Dec. Left as they are, because "
        "they were changed in Wethod since: Wed 16 Dec has 7 h, not the 4 h Staffdesk made. "
        "See to them in Wethod."
    )
    assert any(said in r for r in replies), replies


async def test_a_project_person_in_missionx_offers_no_undo(world: World) -> None:
    await world.command("/add-person", "missionx", "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    project_id = next(iter(world.sandbox.missionx.state.projects))
    values = {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.EMAIL: {Action.EMAIL: {"type": "plain_text_input", "value": "new.person@acme.example"}},
        Block.PERMISSION: {
            Action.PERMISSION: {"type": "static_select", "selected_option": {"value": "member"}}
        },
    }
    await world.submit(world.last_view(), values, "U0GIULIA")
    (request,) = await settled(lambda: originals(world, "U0GIULIA"), bool, seconds=10)
    await world.deliver()
    await world.tell_slack(request.id)
    request = await stored(world, request.id)
    assert request.status is RequestStatus.DELIVERED
    assert buttons(last_copy(world, request.message_ts)) == []
    await world.click(Action.UNDO, ref(request.id), "U0GIULIA")
    await eventually(lambda: bool(world.slack.responses))
    assert "MissionX and Procore document no way to remove a person" in ephemeral_answers(world)[-1]
