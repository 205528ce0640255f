"""Approvals that do not stall, as the people see them: a reminder that points at the question, the
fallback asked on escalation with working buttons, the requester told who was added, a delegate asked
while the approver is away, several approved at once from App Home, and a note with an approval."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.status import RequestStatus
from app.services.nudges import nudge_waiting
from app.services.queries import requests_of
from app.slack.ids import Action, Block, Callback
from tests.conftest import FakeClock
from tests.e2e.harness import POLICY, World, allocation_values, eventually, running_world, settled
from tests.e2e.test_app_home import open_home
from tests.e2e.test_command_echo import staffing

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
NUDGING = POLICY.replace(
    "  expire_after: 72h", "  expire_after: 72h\n  remind_after: 2h\n  escalate_after: 24h"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_10)


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path, clock: FakeClock) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path, policy=NUDGING, clock=clock) as running:
        yield running


def texts_to(world: World, channel: str) -> list[str]:
    return [p["text"] for p in world.slack.called("chat.postMessage") if p["channel"] == channel]


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def marta_asks(world: World, day: str = "2026-12-21") -> str:
    before = {r.id for r in await requests_of(world.container.unit_of_work, "U0MARTA")}
    opened = len(world.slack.called("views.open"))
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: len(world.slack.called("views.open")) > opened)
    await world.submit(world.last_view(), allocation_values("U0MARTA", day, None, "4"), "U0MARTA")
    found = await settled(
        lambda: requests_of(world.container.unit_of_work, "U0MARTA"),
        lambda r: len(r) > len(before),
        seconds=10,
    )
    (new,) = [r.id for r in found if r.id not in before]
    await world.tell_slack(new)
    return new


async def nudge(world: World, request_id: str) -> None:
    await nudge_waiting(world.container.approvals)
    await world.tell_slack(request_id)


async def test_a_reminder_points_at_the_question_then_the_fallback_is_asked_and_can_approve(
    world: World, clock: FakeClock
) -> None:
    request_id = await marta_asks(world)
    clock.advance(hours=2)
    await nudge(world, request_id)
    (reminder,) = [p for p in world.slack.called("chat.postMessage") if "Reminder" in p["text"]][:1]
    assert reminder["text"].startswith(
        ":bell: Reminder: <@U0MARTA>'s request has waited 2 h for your decision: "
        "<https://acme.slack.com/archives/D0ANA/p"
    )
    assert "|Allocation: Marta Gallo on Apollo Website" in reminder["text"]
    assert buttons(reminder) == []  # it points at the question; it has no buttons of its own
    assert sum("Reminder" in t for t in texts_to(world, "D0IRENE")) == 1
    await nudge(world, request_id)
    assert sum("Reminder" in t for t in texts_to(world, "D0ANA")) == 1  # once per period

    clock.advance(hours=22)
    await nudge(world, request_id)
    (question,) = [p for p in world.slack.called("chat.postMessage") if p["channel"] == "D0GIULIA"]
    assert buttons(question)[0] == Action.APPROVE
    told = "Nobody has decided yet, so <@U0GIULIA> has been asked as well."
    assert any(told in t for t in texts_to(world, "D0MARTA"))
    assert any(told in p["text"] for p in world.slack.called("chat.postMessage") if p.get("thread_ts"))

    await world.click(Action.APPROVE, json.dumps({"request_id": request_id}), "U0GIULIA")
    await eventually(
        lambda: any("<@U0GIULIA> approved your request" in t for t in texts_to(world, "D0MARTA"))
    )


async def test_while_away_the_delegate_is_asked_and_app_home_shows_it_until_back(world: World) -> None:
    away = await staffing(world, "away <@U0GIULIA|giulia> 2026-12-07..2026-12-11", "U0ANA")
    assert away["text"].startswith(":palm_tree: You are away Mon 7 – Fri 11 Dec: approvals that would come")
    request_id = await marta_asks(world)
    assert any(t.startswith("Approval needed: Allocation: Marta Gallo") for t in texts_to(world, "D0GIULIA"))
    assert not texts_to(world, "D0ANA")
    home = await open_home(world, "U0ANA")
    (absence,) = [b for b in home["blocks"] if b.get("accessory", {}).get("action_id") == Action.BACK]
    assert "<@U0GIULIA> decides the approvals that would come to you" in absence["text"]["text"]
    await world.click(Action.BACK, "back", "U0ANA", in_view=home)
    await eventually(
        lambda: (
            not any(
                b.get("accessory", {}).get("action_id") == Action.BACK
                for b in world.slack.called("views.publish")[-1]["view"]["blocks"]
            )
        )
    )
    async with world.container.unit_of_work() as uow:
        trail = await uow.requests.audit_trail(request_id)
    assert trail[0].detail["in_place_of"] == {"U0ANA": "U0GIULIA"}


async def test_three_picked_in_app_home_two_approved_one_refused_with_why(world: World) -> None:
    ids = [await marta_asks(world, day) for day in ("2026-12-21", "2026-12-22", "2026-12-23")]
    await world.click(Action.CANCEL, json.dumps({"request_id": ids[1]}), "U0MARTA")
    await settled(
        lambda: requests_of(world.container.unit_of_work, "U0MARTA"),
        lambda r: any(x.status is RequestStatus.CANCELLED for x in r),
        seconds=10,
    )
    home = await open_home(world, "U0IRENE")
    # Irene's Home lists the two still waiting; all three are ticked, as in a tab opened before the cancel
    values = {
        f"pick{i}": {Action.PICK: {"type": "checkboxes", "selected_options": [{"value": rid}]}}
        for i, rid in enumerate(ids)
    }
    opened = len(world.slack.called("views.open"))
    await world.interact(
        {
            "type": "block_actions",
            "user": {"id": "U0IRENE"},
            "trigger_id": "trigger-bulk",
            "actions": [{"action_id": Action.APPROVE_SELECTED, "block_id": "b", "value": "picked"}],
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {**home, "type": "home", "state": {"values": values}},
        }
    )
    await eventually(lambda: len(world.slack.called("views.open")) > opened)
    answer = world.last_view()
    assert answer["title"]["text"] == "2 of 3 approved"
    said = answer["blocks"][0]["text"]["text"]
    assert said.count(":white_check_mark: Approved: Allocation: Marta Gallo on Apollo Website") == 2
    assert ":no_entry_sign: Not approved: Allocation: Marta Gallo on Apollo Website" in said
    assert "already cancelled" in said
    async with world.container.unit_of_work() as uow:
        statuses = [(await uow.requests.get(i)).status for i in ids]
        trail = await uow.requests.audit_trail(ids[0])
    assert statuses[0] is not RequestStatus.PENDING_APPROVAL
    assert statuses[1] is RequestStatus.CANCELLED
    (approval,) = [e for e in trail if e.action == "approved"]
    assert approval.detail == {"approved_together_with": 2}


async def test_a_note_with_an_approval_reaches_the_requester(world: World) -> None:
    request_id = await marta_asks(world)
    await world.click(Action.APPROVE_CHANGES, json.dumps({"request_id": request_id}), "U0ANA")
    await eventually(lambda: world.last_view()["callback_id"] == Callback.APPROVE_CHANGES)
    view = world.last_view()
    day = {"text": {"type": "plain_text", "text": "Mon 21 Dec"}, "value": "2026-12-21"}
    values = {
        Block.DAYS: {Action.DAYS: {"type": "multi_static_select", "selected_options": [day]}},
        Block.HOURS: {Action.HOURS: {"type": "number_input", "value": "4"}},
        Block.DECISION_NOTE: {
            Action.DECISION_NOTE: {"type": "plain_text_input", "value": "Only <!here> once"}
        },
    }
    answer = await world.submit(view, values, "U0ANA")
    assert answer.status_code == 200
    await eventually(lambda: any("They wrote:" in t for t in texts_to(world, "D0MARTA")))
    (dm,) = [t for t in texts_to(world, "D0MARTA") if "They wrote:" in t]
    assert "<@U0ANA> approved your request. They wrote: “Only &lt;!here&gt; once”" in dm
