"""The requester hears every outcome by DM, and operator problems go to the operators: through the real
app, read as the people who get the messages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.services.queries import get_request, requests_of
from app.slack.ids import Action, Block, Callback
from tests.e2e.harness import OPERATORS, World, allocation_values, eventually, running_world

MARTA_DM = "D0MARTA"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def dms_to(world: World, channel: str) -> list[dict[str, Any]]:
    return [p for p in world.slack.taken("chat.postMessage") if p["channel"] == channel]


def ref(request: StaffingRequest) -> str:
    return json.dumps({"request_id": request.id})


async def marta_asks(world: World, day: str, hours: str = "3") -> StaffingRequest:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(world.last_view(), allocation_values("U0MARTA", day, None, hours), "U0MARTA")
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))
    (request, *_) = await requests_of(world.container.unit_of_work, "U0MARTA")
    return await get_request(world.container.unit_of_work, request.id)


async def test_an_approved_and_delivered_request_is_told_to_the_requester_twice(world: World) -> None:
    request = await marta_asks(world, "2026-12-21")
    assert dms_to(world, MARTA_DM) == []  # nothing to tell while it waits
    await world.click(Action.APPROVE, ref(request), "U0ANA")
    await eventually(lambda: len(dms_to(world, MARTA_DM)) == 1)
    assert await world.deliver() == 1
    approved, done = (p["text"] for p in dms_to(world, MARTA_DM))
    assert approved.startswith(
        ":white_check_mark: <@U0ANA> approved your request. Staffdesk is sending it now."
    )
    assert "*Allocation*: *Marta Gallo* on *Apollo Website (JO-2026-0001)*" in approved
    assert "The whole story is in its thread in <#C0STAFFING>." in approved
    assert done.startswith(":tada: Done: Allocated ")


async def test_a_rejection_is_told_with_who_and_why(world: World) -> None:
    request = await marta_asks(world, "2026-12-22")
    await world.click(Action.REJECT, ref(request), "U0IRENE")
    await eventually(
        lambda: any(c["view"]["callback_id"] == Callback.REJECT for c in world.slack.called("views.open"))
    )
    reason = {Block.REASON: {Action.REASON: {"type": "plain_text_input", "value": "Over budget"}}}
    await world.submit(world.last_view(), reason, "U0IRENE")
    await eventually(lambda: len(dms_to(world, MARTA_DM)) == 1)
    (dm,) = dms_to(world, MARTA_DM)
    assert dm["text"].startswith(":no_entry: <@U0IRENE> rejected your request: “Over budget”")


async def test_a_refusal_is_told_with_what_to_fix_and_a_fix_and_resubmit_button(world: World) -> None:
    world.sandbox.wethod.control.faults.append(
        Fault(status=400, method="POST", path_prefix="/api/people-all")
    )
    request = await marta_asks(world, "2026-12-23")
    await world.click(Action.APPROVE, ref(request), "U0ANA")
    await eventually(lambda: len(dms_to(world, MARTA_DM)) == 1)
    await world.deliver()
    refused = dms_to(world, MARTA_DM)[-1]
    assert refused["text"].startswith(":warning: Wethod refused your request:")
    actions = [e["action_id"] for b in refused["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [Action.RESUBMIT]


async def test_a_refused_token_goes_to_the_operators_and_the_requester_only_hears_an_admin_was_asked(
    world: World,
) -> None:
    world.sandbox.wethod.control.faults.append(
        Fault(status=401, method="POST", path_prefix="/api/people-all")
    )
    request = await marta_asks(world, "2026-12-24")
    await world.click(Action.APPROVE, ref(request), "U0ANA")
    await eventually(lambda: len(dms_to(world, MARTA_DM)) == 1)
    await world.deliver()
    (operators,) = dms_to(world, OPERATORS)
    assert operators["text"].startswith(":rotating_light: *Wethod*: Wethod refused Staffdesk's credentials.")
    assert "Check WETHOD_TOKEN." in operators["text"]
    assert "<@U0MARTA>'s request" in operators["text"]
    told = dms_to(world, MARTA_DM)[-1]["text"]
    assert told.startswith(
        ":rotating_light: Staffdesk cannot reach Wethod as it should: an administrator has"
    )
    assert "WETHOD_TOKEN" not in told
    thread = [p["text"] for p in world.slack.taken("chat.postMessage") if p.get("thread_ts")]
    assert not any("WETHOD_TOKEN" in t for t in thread)
    assert (await get_request(world.container.unit_of_work, request.id)).status is RequestStatus.APPROVED
