"""App Home through the running app: buttons that open the request modals, my requests with their age, and
this week's hours of a PM's people."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import RequestKind, StaffingRequest
from app.sandbox.core import Fault
from app.services.queries import requests_of
from app.services.team_week import working_week
from app.slack.ids import Action, Callback
from app.slack.metadata import ModalContext, read_metadata
from tests.e2e.harness import World, allocation_values, eventually, running_world, settled, sign

ALL_BUTTONS = [
    "Allocate hours",
    "Add to a timesheet whitelist",
    "Add to a MissionX project",
    "Add to a Procore project",
]


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def open_home(world: World, user: str) -> dict[str, Any]:
    """Open `user`'s Home tab as Slack tells the app, and return the view the app publishes."""
    before = len(world.slack.called("views.publish"))
    event = {
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "team_id": "T0ACME",
        "api_app_id": "A0STAFF",
        "event": {"type": "app_home_opened", "user": user, "tab": "home"},
    }
    body = json.dumps(event)
    headers = {**sign(body), "Content-Type": "application/json"}
    assert (await world.http.post("/slack/events", content=body, headers=headers)).status_code == 200
    await eventually(lambda: len(world.slack.called("views.publish")) > before)
    published = world.slack.called("views.publish")[-1]
    assert published["user_id"] == user
    return {**published["view"], "id": "V0HOME"}


async def stored_requests(world: World, user: str) -> list[StaffingRequest]:
    """The user's requests once the submission has stored one (the app stores it after answering Slack)."""
    return await settled(lambda: requests_of(world.container.unit_of_work, user), bool, seconds=10)


def buttons(home: dict[str, Any]) -> dict[str, str]:
    """The start buttons of a Home view: label -> action id."""
    return {
        e["text"]["text"]: e["action_id"]
        for block in home["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"].startswith("staffdesk_start_")
    }


def grid_lines(home: dict[str, Any]) -> list[str]:
    """The lines of this week's grid, without its code fences."""
    (grid,) = [b["text"]["text"] for b in home["blocks"] if "```" in b.get("text", {}).get("text", "")]
    return grid.strip("`\n").splitlines()


async def test_app_home_offers_a_button_for_each_kind_of_request(world: World) -> None:
    assert list(buttons(await open_home(world, "U0MARTA"))) == ALL_BUTTONS


async def test_app_home_offers_no_button_for_an_upstream_that_is_off_and_an_old_button_says_so(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path, disabled=("PROCORE_",)) as world:
        home = await open_home(world, "U0MARTA")
        assert list(buttons(home)) == ALL_BUTTONS[:3]
        await world.click(Action.START_PROCORE_PERSON, "procore_project_person", "U0MARTA", in_view=home)
        await eventually(lambda: bool(world.slack.called("views.open")))
        notice = world.last_view()  # a button on a Home published before Procore was turned off
        assert "callback_id" not in notice
        assert "Procore is not set up in Staffdesk yet" in json.dumps(notice)


@pytest.mark.parametrize(
    ("label", "callback", "kind"),
    [
        (ALL_BUTTONS[0], Callback.ALLOCATION, RequestKind.ALLOCATION),
        (ALL_BUTTONS[1], Callback.WHITELIST, RequestKind.WHITELIST),
        (ALL_BUTTONS[2], Callback.PROJECT_PERSON, RequestKind.MISSIONX_PROJECT_PERSON),
        (ALL_BUTTONS[3], Callback.PROJECT_PERSON, RequestKind.PROCORE_PROJECT_PERSON),
    ],
)
async def test_each_button_opens_the_modal_of_its_kind_with_no_channel(
    world: World, label: str, callback: Callback, kind: RequestKind
) -> None:
    home = await open_home(world, "U0MARTA")
    answer = await world.click(buttons(home)[label], kind.value, "U0MARTA", in_view=home)
    assert answer.status_code == 200
    await eventually(lambda: bool(world.slack.called("views.open")))
    modal = world.last_view()
    meta = read_metadata(ModalContext, modal["private_metadata"])
    assert (modal["callback_id"], meta.kind, meta.channel_id) == (callback, kind, None)


async def test_a_request_asked_from_app_home_is_told_in_the_requesters_dm(world: World) -> None:
    home = await open_home(world, "U0MARTA")
    await world.click(Action.START_ALLOCATION, "allocation", "U0MARTA", in_view=home)
    await eventually(lambda: bool(world.slack.called("views.open")))
    values = allocation_values("U0MARTA", "2026-12-21", None, "6")
    assert (await world.submit(world.last_view(), values, "U0MARTA")).status_code == 200
    (request,) = await settled(
        lambda: requests_of(world.container.unit_of_work, "U0MARTA"),
        lambda found: bool(found) and found[0].message_ts is not None,
        seconds=10,
    )
    assert request.channel_id == "D0MARTA"  # where its message was posted: Marta's DM


async def test_my_requests_and_the_approvals_waiting_show_how_long_ago_they_were_asked(world: World) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    await world.submit(world.last_view(), allocation_values("U0MARTA", "2026-12-21", None, "6"), "U0MARTA")
    (request,) = await stored_requests(world, "U0MARTA")
    age = f"asked <!date^{int(request.created_at.timestamp())}^{{ago}}|"
    assert age in json.dumps(await open_home(world, "U0MARTA"))
    assert age in json.dumps(await open_home(world, "U0ANA"))  # Ana, Apollo's PM, is asked to approve


async def test_a_pm_sees_this_weeks_hours_of_their_people_with_a_day_over_eight_marked(world: World) -> None:
    monday = working_week(world.container.approvals.today())[0]
    wethod = world.sandbox.wethod.state
    wethod.add_allocation(13, 1000, monday, 6)  # Marta on Apollo, Ana's project ...
    wethod.add_allocation(13, 1001, monday, 4)  # ... and on Borealis, Bruno's: 10 h on Monday
    wethod.add_allocation(13, 1000, monday + timedelta(days=1), 8)
    wethod.add_allocation(13, 1000, monday + timedelta(days=2), 4)
    wethod.add_allocation(20, 1001, monday, 8)  # Tomás works only for Bruno
    header, *rows = grid_lines(await open_home(world, "U0ANA"))
    assert header.split() == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert [row.split() for row in rows] == [["Marta", "Gallo", "10⚠", "8", "4↓", "—", "—"]]


async def test_someone_who_runs_no_project_sees_one_line_instead_of_the_grid(world: World) -> None:
    home = json.dumps(await open_home(world, "U0MARTA"), ensure_ascii=False)
    assert "You are not the PM or Account of a Wethod project" in home
    assert "```" not in home


async def test_when_wethod_cannot_be_read_the_home_says_so_in_one_line_and_shows_the_rest(
    world: World,
) -> None:
    world.sandbox.wethod.control.faults.append(
        Fault(status=403, count=10, method="GET", path_prefix="/api/people-allocations")
    )
    home = await open_home(world, "U0ANA")
    text = json.dumps(home, ensure_ascii=False)
    assert "This week's hours cannot be shown: answered 403" in text
    assert list(buttons(home)) == ALL_BUTTONS
    assert "Approvals waiting for you" in text


async def test_without_wethod_only_the_other_buttons_show_and_the_grid_is_left_out(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path, disabled=("WETHOD_",)) as world:
        home = await open_home(world, "U0ANA")
        assert list(buttons(home)) == ALL_BUTTONS[2:]
        assert "Wethod is not set up in Staffdesk" in json.dumps(home)


async def test_a_holiday_of_staffdesk_holidays_is_named_in_the_week(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    async with running_world(
        engine, tmp_path, clock=lambda: monday, env={"STAFFDESK_HOLIDAYS": "IT"}
    ) as world:
        world.sandbox.wethod.state.add_allocation(13, 1000, monday.date(), 6)
        home = await open_home(world, "U0ANA")
    shown = json.dumps(home, ensure_ascii=False)
    assert ":palm_tree: Tue 8 Dec is a holiday (Immaculate Conception)" in shown
