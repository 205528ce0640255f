"""What a slash command's text did is said back, through the real app over HTTP: nothing typed is dropped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.requests import RequestKind
from app.slack.ids import NO_MATCH, Action, Block
from app.slack.metadata import ModalContext, dump_metadata
from tests.e2e.harness import World, allocation_values, eventually, running_world

HOURS_RULE = "(hours are 1 to 8 a day), so hours are left for you to fill in"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def modal_after(world: World, command: str, text: str, *, looked_up: bool) -> dict[str, Any]:
    """The modal as the user sees it once the command has opened it, and filled it in when the text named a
    project to look up."""
    await world.command(command, text, "U0MARTA")
    method = "views.update" if looked_up else "views.open"
    await eventually(lambda: bool(world.slack.called(method)))
    return world.last_view(method)


def blocks_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


def echo_of(view: dict[str, Any]) -> str | None:
    """The text on top of the modal that says what the command text gave."""
    first = view["blocks"][0]
    return str(first["elements"][0]["text"]) if first.get("block_id") == Block.ECHO else None


async def staffing(world: World, text: str, user: str = "U0MARTA") -> dict[str, Any]:
    """What /staffing answered, only to the person who asked."""
    before = len(world.slack.responses)
    await world.command("/staffing", text, user)
    await eventually(lambda: len(world.slack.responses) > before)
    answer = world.slack.responses[-1]
    assert answer["response_type"] == "ephemeral"
    return answer


async def test_junk_words_and_too_many_hours_are_said_back_and_the_hours_left_empty(world: World) -> None:
    modal = await modal_after(world, "/allocate", "?? garbage 99h", looked_up=True)
    assert echo_of(modal) == (
        f":mag: From your command, not understood: “??”; 99 h is more than 8 {HOURS_RULE}; "
        "no project matches “garbage”."
    )
    hours = blocks_of(modal)[Block.HOURS]["element"]
    assert "initial_value" not in hours
    assert (hours["min_value"], hours["max_value"], hours["is_decimal_allowed"]) == ("1", "8", False)


async def test_a_date_that_does_not_exist_is_said_back_and_no_day_is_filled_in(world: World) -> None:
    modal = await modal_after(world, "/allocate", "2026-13-45", looked_up=False)
    assert echo_of(modal) == ":mag: From your command, not understood: “2026-13-45” is not a date."
    assert "initial_date" not in blocks_of(modal)[Block.START]["element"]


async def test_a_project_that_is_not_in_the_directory_is_said_back(world: World) -> None:
    modal = await modal_after(world, "/allocate", "nosuch", looked_up=True)
    assert echo_of(modal) == ":mag: From your command, not understood: no project matches “nosuch”."
    assert "initial_option" not in blocks_of(modal)[Block.PROJECT]["element"]


async def test_what_was_understood_is_said_back_with_the_words_the_project_did_not_need(world: World) -> None:
    text = "<@U0MARTA|marta> apollo garbage web 2026-12-07..2026-12-09 4h"
    modal = await modal_after(world, "/allocate", text, looked_up=True)
    assert echo_of(modal) == (
        ":mag: From your command: <@U0MARTA>, Apollo Website (JO-2026-0001), Mon 7 – Wed 9 Dec, 4 h a day. "
        "Not understood: “garbage”."
    )
    assert blocks_of(modal)[Block.PROJECT]["element"]["initial_option"]["value"] == "1000"
    preview = blocks_of(modal)[Block.PREVIEW]["text"]["text"]  # filled in whole: the days are previewed
    assert preview.startswith("*This will create 3 allocations:*\n• Mon 7 Dec: ")


async def test_a_project_found_only_archived_is_said_back_and_left_to_pick(world: World) -> None:
    modal = await modal_after(world, "/allocate", "jupiter erp", looked_up=True)
    assert echo_of(modal) == (
        ":mag: From your command, not understood: “jupiter erp” finds only archived projects, so the project "
        "is left for you to pick."
    )
    assert "initial_option" not in blocks_of(modal)[Block.PROJECT]["element"]


async def test_typed_markup_is_said_back_as_written(world: World) -> None:
    modal = await modal_after(world, "/allocate", "&lt;!here&gt; Zork&amp;Co", looked_up=True)
    assert echo_of(modal) == (
        ":mag: From your command, not understood: “&lt;!here&gt;”; no project matches “Zork&amp;Co”."
    )


async def test_the_echo_stays_on_top_while_the_form_is_filled_in(world: World) -> None:
    modal = await modal_after(world, "/allocate", "2026-13-45", looked_up=False)
    view = {**modal, "id": "V0VIEW", "hash": "h1"}
    view["state"] = {"values": allocation_values("U0MARTA", "2026-12-07", None, "4")}
    await world.interact(
        {
            "type": "block_actions",
            "user": {"id": "U0MARTA"},
            "view": view,
            "container": {"type": "view", "view_id": "V0VIEW"},
            "actions": [{"action_id": Action.HOURS, "block_id": Block.HOURS, "type": "number_input"}],
        }
    )
    await eventually(lambda: bool(world.slack.called("views.update")))
    assert echo_of(world.last_view("views.update")) == echo_of(modal)


async def test_whitelist_and_add_person_say_what_their_forms_cannot_take(world: World) -> None:
    whitelist = await modal_after(world, "/whitelist", "<@U0MARTA|marta> apollo 4h", looked_up=True)
    assert echo_of(whitelist) == (
        ":mag: From your command: <@U0MARTA>, Apollo Website (JO-2026-0001). "
        "Not understood: “4h”: this form has no hours."
    )
    world.slack.calls.clear()
    person = await modal_after(world, "/add-person", "missionx nosuch 2026-12-07", looked_up=True)
    assert echo_of(person) == (
        ":mag: From your command, not understood: “2026-12-07”: this form has no days; "
        "no project matches “nosuch”."
    )
    assert blocks_of(person)[Block.RATE]["element"]["min_value"] == "0"


async def test_add_person_says_when_the_system_it_names_is_not_set_up(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path, disabled=("PROCORE_",)) as world:
        modal = await modal_after(world, "/add-person", "procore apollo", looked_up=True)
    assert echo_of(modal) == (
        ":mag: From your command: Apollo Website (JO-2026-0001). "
        "Not understood: “procore”: Procore is not set up in Staffdesk."
    )
    assert blocks_of(modal)[Block.EMAIL]  # the MissionX form


async def test_a_search_that_finds_nothing_offers_one_option_that_says_so(world: World) -> None:
    metadata = dump_metadata(ModalContext(kind=RequestKind.ALLOCATION))
    assert await world.project_options("nosuch", metadata) == [
        {"text": {"type": "plain_text", "text": "No project matches “nosuch”"}, "value": NO_MATCH}
    ]


async def test_picking_the_no_match_option_picks_no_project(world: World) -> None:
    modal = await modal_after(world, "/allocate", "", looked_up=False)
    values = allocation_values("U0MARTA", "2026-12-07", None, "4", project=NO_MATCH)
    view = {**modal, "id": "V0VIEW", "hash": "h1", "state": {"values": values}}
    await world.interact(
        {
            "type": "block_actions",
            "user": {"id": "U0MARTA"},
            "view": view,
            "container": {"type": "view", "view_id": "V0VIEW"},
            "actions": [{"action_id": Action.PROJECT, "block_id": Block.PROJECT, "type": "external_select"}],
        }
    )
    await eventually(lambda: bool(world.slack.called("views.update")))
    assert "initial_option" not in blocks_of(world.last_view("views.update"))[Block.PROJECT]["element"]
    answer = await world.submit(modal, values, "U0MARTA")
    assert answer.json() == {
        "response_action": "errors",
        "errors": {Block.PROJECT: "Pick a Wethod project from the list."},
    }


async def test_staffing_says_when_a_word_is_not_one_of_its_commands_then_helps(world: World) -> None:
    answer = await staffing(world, "blah")
    assert answer["text"].startswith(":grey_question: “blah” is not a /staffing command.\n\n*Staffdesk*")
    assert "/allocate" in answer["text"]


async def test_staffing_digest_says_whether_it_comes_and_how_to_change_that(world: World) -> None:
    off = await staffing(world, "digest", "U0BRUNO")
    assert off["text"].startswith(
        ":no_bell: You do not get the daily direct message with your projects' day."
    )
    assert "Turn it on with `/staffing digest on`" in off["text"]
    assert "will get" in (await staffing(world, "digest on", "U0BRUNO"))["text"]
    on = await staffing(world, "digest", "U0BRUNO")
    assert on["text"].startswith(":bell: You get a direct message with your projects' day every working day")
    assert "Turn it off with `/staffing digest off`." in on["text"]
    unknown = await staffing(world, "digest maybe", "U0BRUNO")
    assert unknown["text"].startswith(":grey_question: “maybe” is not a digest setting: use `on` or `off`.")


async def test_staffing_says_which_words_after_its_command_it_left_out(world: World) -> None:
    answer = await staffing(world, "mine please")
    note = answer["blocks"][0]["elements"][0]["text"]
    assert note == ":grey_question: Not understood, so left out: “please”."
    assert "no requests" in json.dumps(answer["blocks"][1:])
