"""User stories from slash command to thread reply, through the real app over signed HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.services.queries import get_request, requests_of
from app.slack.ids import Action, Block, Callback
from app.slack.listeners.views import TOO_BUSY
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, option, running_world

APOLLO = "1000"
MARTA = 13  # Marta Gallo's Wethod id in the demo company


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


def ref(request: StaffingRequest) -> str:
    return json.dumps({"request_id": request.id})


async def requests(world: World, user: str) -> list[StaffingRequest]:
    return await requests_of(world.container.unit_of_work, user)


async def fresh(world: World, request: StaffingRequest) -> StaffingRequest:
    return await get_request(world.container.unit_of_work, request.id)


async def submit_and_wait(world: World, view: dict[str, Any], values: dict[str, Any], user: str) -> None:
    """Submit a request modal and wait until the modal says it was sent (or shows a problem)."""
    before = len(world.slack.called("views.update"))
    await world.submit(view, values, user)
    await eventually(lambda: len(world.slack.called("views.update")) > before)


def thread(world: World, request: StaffingRequest) -> list[str]:
    return [
        p["text"] for p in world.slack.called("chat.postMessage") if p.get("thread_ts") == request.message_ts
    ]


async def ask_for_allocation(
    world: World, user: str, start: str, end: str | None, hours: str
) -> StaffingRequest:
    await world.command("/allocate", "", user)
    await eventually(lambda: bool(world.slack.called("views.open")))
    before = len(await requests(world, user))
    answer = await world.submit(world.last_view(), allocation_values("U0MARTA", start, end, hours), user)
    assert answer.json()["response_action"] == "update", answer.text
    await eventually(lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update")))
    found = await requests(world, user)
    assert len(found) == before + 1
    return await fresh(world, found[0])


async def test_an_allocation_goes_from_the_command_through_the_pm_to_wethod_and_back_to_the_thread(
    world: World,
) -> None:
    await world.command("/allocate", "<@U0MARTA|marta> apollo web 2026-12-07..2026-12-09 4h", "U0MARTA")
    await eventually(lambda: len(world.slack.called("views.update")) == 1)
    modal = world.last_view("views.update")
    assert modal["callback_id"] == Callback.ALLOCATION
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[Block.PROJECT]["element"]["initial_option"]["value"] == APOLLO
    assert blocks[Block.PERSON]["element"]["initial_users"] == ["U0MARTA"]
    assert blocks[Block.HOURS]["element"]["initial_value"] == "4"

    answer = await world.submit(
        modal, allocation_values("U0MARTA", "2026-12-07", "2026-12-09", "4"), "U0MARTA"
    )
    assert answer.json()["response_action"] == "update"
    await eventually(lambda: any("Sent to" in json.dumps(v) for v in world.slack.called("views.update")))
    (request,) = await requests(world, "U0MARTA")
    request = await fresh(world, request)
    assert (request.status, request.approvers, request.channel_id) == (
        RequestStatus.PENDING_APPROVAL,
        ("U0ANA", "U0IRENE"),
        CHANNEL,
    )
    posted = [p for p in world.slack.called("chat.postMessage") if p["channel"] == CHANNEL]
    assert "Marta Gallo" in posted[0]["text"]
    assert "Apollo Website" in posted[0]["text"]
    assert [c["users"] for c in world.slack.called("conversations.open")] == ["U0ANA", "U0IRENE"]

    await world.click(Action.APPROVE, ref(request), "U0ANA")
    await eventually(lambda: any("Approved by <@U0ANA>" in t for t in thread(world, request)))
    assert await world.deliver() == 1
    made = [a for a in world.sandbox.wethod.state.live_allocations() if a.person_id == MARTA]
    assert sorted(a.date for a in made) == [date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)]
    assert any(t.startswith(":tada: Done: ") for t in thread(world, request))
    assert (await fresh(world, request)).status is RequestStatus.DELIVERED
    copies = [u for u in world.slack.called("chat.update") if u["channel"].startswith("D")]
    assert copies
    assert not any(b["type"] == "actions" for b in copies[-1]["blocks"])  # the buttons are gone
    assert "by <@U0ANA>" in json.dumps(copies[-1]["blocks"])


async def test_a_whitelist_asked_by_the_pm_is_approved_at_once_and_delivered(world: World) -> None:
    await world.command("/whitelist", "<@U0MARTA|marta> apollo", "U0ANA")
    await eventually(lambda: len(world.slack.called("views.update")) == 1)
    values = {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": "U0MARTA"}},
        Block.PROJECT: {Action.PROJECT: option(APOLLO)},
    }
    await world.submit(world.last_view("views.update"), values, "U0ANA")
    await eventually(lambda: any("approved" in json.dumps(v) for v in world.slack.called("views.update")[1:]))
    (request,) = await requests(world, "U0ANA")
    assert (await fresh(world, request)).status is RequestStatus.APPROVED
    await world.deliver()
    request = await fresh(world, request)
    assert world.sandbox.wethod.state.whitelist_entry(int(APOLLO), MARTA) is not None
    assert any("timesheet whitelist" in t for t in thread(world, request))


async def test_a_whitelist_that_already_exists_is_reported_as_already_done(world: World) -> None:
    world.sandbox.wethod.state.add_whitelist(int(APOLLO), MARTA)
    await world.command("/whitelist", "", "U0ANA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": "U0MARTA"}},
        Block.PROJECT: {Action.PROJECT: option(APOLLO)},
    }
    await submit_and_wait(world, world.last_view(), values, "U0ANA")
    await world.deliver()
    (request,) = await requests(world, "U0ANA")
    request = await fresh(world, request)
    assert request.status is RequestStatus.DELIVERED
    assert any(
        t.startswith(":ballot_box_with_check: Already there: ") and "already" in t
        for t in thread(world, request)
    )


async def project_person(world: World, upstream: str, values: dict[str, Any]) -> StaffingRequest:
    await world.command("/add-person", upstream, "U0GIULIA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await submit_and_wait(world, world.last_view(), values, "U0GIULIA")
    (request,) = await requests(world, "U0GIULIA")
    await world.deliver()
    return await fresh(world, request)


async def test_a_missionx_project_person_is_added_by_a_resource_manager(world: World) -> None:
    project_id = next(iter(world.sandbox.missionx.state.projects))
    values = {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.EMAIL: {Action.EMAIL: {"type": "plain_text_input", "value": "new.hire@acme.example"}},
        Block.PERMISSION: {Action.PERMISSION: option("member")},
        Block.RATE: {Action.RATE: {"type": "number_input", "value": "55"}},
        Block.RATE_TIME: {Action.RATE_TIME: option("hourly")},
    }
    request = await project_person(world, "missionx", values)
    assert request.status is RequestStatus.DELIVERED
    people = world.sandbox.missionx.state.projects[project_id]["people"]
    assert [p["email"] for p in people].count("new.hire@acme.example") == 1
    assert any(t.startswith(":tada: Done: ") and "MissionX project" in t for t in thread(world, request))


async def test_a_procore_project_person_is_added_by_a_resource_manager(world: World) -> None:
    project_id = str(world.sandbox.procore.state.projects[0]["id"])
    values = {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.LAST_NAME: {Action.LAST_NAME: {"type": "plain_text_input", "value": "Tanaka"}},
        Block.FIRST_NAME: {Action.FIRST_NAME: {"type": "plain_text_input", "value": "Yui"}},
    }
    request = await project_person(world, "procore", values)
    assert request.status is RequestStatus.DELIVERED
    assert any(p["last_name"] == "Tanaka" for p in world.sandbox.procore.state.people[int(project_id)])
    assert any(t.startswith(":tada: Done: ") and "Procore project" in t for t in thread(world, request))


async def test_upstream_validation_failures_come_back_field_by_field_with_fix_and_resubmit(
    world: World,
) -> None:
    project_id = next(iter(world.sandbox.missionx.state.projects))
    pm_email = world.sandbox.missionx.state.projects[project_id]["people"][0]["email"]
    values = {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.EMAIL: {Action.EMAIL: {"type": "plain_text_input", "value": pm_email}},
        Block.PERMISSION: {Action.PERMISSION: option("member")},
    }
    request = await project_person(world, "missionx", values)
    assert request.status is RequestStatus.FAILED
    reply = next(
        p
        for p in world.slack.called("chat.postMessage")
        if p.get("thread_ts") == request.message_ts and "refused" in p["text"]
    )
    assert "• *email*:" in reply["text"]
    button = reply["blocks"][-1]["elements"][0]
    assert button["action_id"] == Action.RESUBMIT
    await world.click(Action.RESUBMIT, button["value"], "U0GIULIA")
    await eventually(lambda: len(world.slack.called("views.open")) == 2)
    reopened = json.dumps(world.last_view())
    assert pm_email in reopened  # the modal comes back filled in


async def test_a_modal_field_error_stands_next_to_its_field(world: World) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    answer = await world.submit(
        world.last_view(), allocation_values("U0MARTA", "2026-12-09", "2026-12-07", "9"), "U0MARTA"
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {
        Block.END: "The last day cannot be before the first.",
        Block.HOURS: "Hours must be a whole number from 1 to 8.",
    }
    assert await requests(world, "U0MARTA") == []


async def test_the_requester_clicking_approve_is_refused_ephemerally_and_nothing_changes(
    world: World,
) -> None:
    request = await ask_for_allocation(world, "U0MARTA", "2026-12-14", None, "2")
    await world.click(Action.APPROVE, ref(request), "U0MARTA")
    await eventually(lambda: bool(world.slack.responses))
    assert world.slack.responses[-1]["text"] == "You cannot approve or reject your own request."
    assert world.slack.responses[-1]["response_type"] == "ephemeral"
    assert (await fresh(world, request)).status is RequestStatus.PENDING_APPROVAL


async def test_a_rejection_asks_for_a_reason_and_the_thread_shows_it(world: World) -> None:
    request = await ask_for_allocation(world, "U0MARTA", "2026-12-15", None, "3")
    await world.click(Action.REJECT, ref(request), "U0IRENE")
    await eventually(
        lambda: any(c["view"]["callback_id"] == Callback.REJECT for c in world.slack.called("views.open"))
    )
    modal = world.last_view()
    blank = await world.submit(
        modal, {Block.REASON: {Action.REASON: {"type": "plain_text_input", "value": "  "}}}, "U0IRENE"
    )
    assert blank.json() == {
        "response_action": "errors",
        "errors": {Block.REASON: "Please say why the request is rejected; the requester sees the reason."},
    }
    await world.submit(
        modal,
        {Block.REASON: {Action.REASON: {"type": "plain_text_input", "value": "Over budget"}}},
        "U0IRENE",
    )
    await eventually(lambda: any("Rejected by <@U0IRENE>: Over budget" in t for t in thread(world, request)))
    assert (await fresh(world, request)).status is RequestStatus.REJECTED


async def test_a_double_click_approves_and_delivers_once(world: World) -> None:
    request = await ask_for_allocation(world, "U0MARTA", "2026-12-16", None, "5")
    await asyncio.gather(
        *(world.click(Action.APPROVE, ref(request), approver) for approver in ("U0ANA", "U0ANA", "U0IRENE"))
    )
    await eventually(lambda: len(world.slack.responses) == 2)
    assert all("already approved" in r["text"] for r in world.slack.responses)
    assert await world.deliver() == 1
    assert await world.deliver() == 0
    made = [
        a
        for a in world.sandbox.wethod.state.live_allocations()
        if a.person_id == MARTA and a.date == date(2026, 12, 16)
    ]
    assert len(made) == 1


async def test_a_command_for_an_upstream_that_is_off_says_what_is_missing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path, disabled=("WETHOD_",)) as world:
        answer = await world.command("/allocate", "apollo", "U0MARTA")
    assert answer.status_code == 200
    assert answer.text == (  # Slack shows the ack's text to the user alone
        "Wethod is not set up in Staffdesk yet. An administrator needs to set WETHOD_TOKEN, WETHOD_COMPANY."
    )
    assert world.slack.called("views.open") == []


async def test_the_allocation_preview_shows_hours_already_there_and_warns_over_eight(world: World) -> None:
    world.sandbox.wethod.state.add_allocation(MARTA, 1001, date(2026, 12, 8), 6)
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    view = {**world.last_view(), "id": "V0VIEW", "hash": "h1"}
    view["state"] = {"values": allocation_values("U0MARTA", "2026-12-07", "2026-12-08", "4")}
    await world.interact(
        {
            "type": "block_actions",
            "user": {"id": "U0MARTA"},
            "view": view,
            "container": {"type": "view"},
            "actions": [
                {"action_id": Action.HOURS, "block_id": Block.HOURS, "type": "number_input", "value": "4"}
            ],
        }
    )
    await eventually(lambda: bool(world.slack.called("views.update")))
    preview = next(b for b in world.last_view("views.update")["blocks"] if b.get("block_id") == Block.PREVIEW)
    text = preview["text"]["text"]
    assert "This will create 2 allocations" in text
    assert "Mon 7 Dec: 0 h already + 4 h → 4 h" in text
    assert "Tue 8 Dec: 6 h already + 4 h :warning: *10 h, over 8*" in text


async def test_a_request_whose_message_cannot_be_posted_is_kept_and_the_requester_told_not_to_resend(
    world: World,
) -> None:
    world.slack.answers["chat.postMessage"] = lambda params: {"ok": False, "error": "fatal_error"}
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(world.last_view(), allocation_values("U0MARTA", "2026-12-17", None, "2"), "U0MARTA")
    await eventually(
        lambda: any("Request saved" in json.dumps(v) for v in world.slack.called("views.update"))
    )
    (request,) = await requests(world, "U0MARTA")
    assert request.status is RequestStatus.PENDING_APPROVAL


@pytest.mark.parametrize(("seconds_per_reading", "sent"), [(3.0, False), (1.0, True)])
async def test_a_submission_checked_too_slowly_for_slack_is_not_sent_and_stays_open(
    engine: AsyncEngine, tmp_path: Path, seconds_per_reading: float, sent: bool
) -> None:
    # The clock that times the answer moves on by `seconds_per_reading` each time it is read: once when
    # the submission arrives, once just before it is answered.
    readings = itertools.count(step=seconds_per_reading)
    async with running_world(engine, tmp_path, monotonic=lambda: float(next(readings))) as world:
        await world.command("/allocate", "", "U0MARTA")
        await eventually(lambda: bool(world.slack.called("views.open")))
        answer = await world.submit(
            world.last_view(), allocation_values("U0MARTA", "2026-12-07", None, "4"), "U0MARTA"
        )
        if sent:
            await eventually(lambda: "Request sent" in json.dumps(world.slack.called("views.update")))
        stored = await requests(world, "U0MARTA")
    if sent:
        assert answer.json()["response_action"] == "update"
        assert len(stored) == 1
    else:
        assert answer.json() == {"response_action": "errors", "errors": {Block.PERSON: TOO_BUSY}}
        assert stored == []
