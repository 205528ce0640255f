"""Block Kit as the demo's Slack client handles it: ids, the state of inputs, the checks before sending."""

from __future__ import annotations

from typing import Any

from app.demo.blockkit import REQUIRED, action_of, find_element, form_problems, state_of, view_state, with_ids
from app.domain.requests import RequestKind
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.modals import build_allocation_modal
from app.slack.metadata import ModalContext

OPTION = {"text": {"type": "plain_text", "text": "Apollo"}, "value": "1000"}


def blocks() -> list[dict[str, Any]]:
    return with_ids(
        [
            {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
            {
                "type": "input",
                "block_id": "hours",
                "label": {"type": "plain_text", "text": "Hours"},
                "element": {"type": "number_input", "action_id": "h", "is_decimal_allowed": False}
                | {"min_value": "1", "max_value": "8"},
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "n", "max_length": 5},
            },
            {
                "type": "input",
                "block_id": "project",
                "label": {"type": "plain_text", "text": "Project"},
                "element": {"type": "external_select", "action_id": "p", "initial_option": OPTION},
            },
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}],
            },
        ]
    )


def test_slack_gives_every_block_and_interactive_element_an_id() -> None:
    made = blocks()
    assert all(b.get("block_id") for b in made)
    button = made[-1]["elements"][0]
    assert button["action_id"]
    assert find_element(made, made[-1]["block_id"], button["action_id"]) == (made[-1], button)


def test_the_state_holds_every_input_with_what_was_given_else_its_initial_value() -> None:
    state = view_state(blocks(), {"hours": {"h": {"type": "number_input", "value": "4"}}})
    assert state == {
        "values": {
            "hours": {"h": {"type": "number_input", "value": "4"}},
            "note": {"n": {"type": "plain_text_input", "value": None}},
            "project": {"p": {"type": "external_select", "selected_option": OPTION}},
        }
    }


def test_a_picked_option_keeps_only_what_slack_reports() -> None:
    element = {"type": "static_select", "action_id": "s"}
    picked = state_of(element, {"selected_option": {**OPTION, "html": "<b>x</b>", "extra": 1}})
    assert picked == {"type": "static_select", "selected_option": OPTION}
    assert state_of(element, {"selected_option": "not an option"})["selected_option"] is None


def test_slacks_client_refuses_empty_required_fields_and_numbers_out_of_range() -> None:
    made = blocks()
    empty = view_state(made, {"project": {"p": {"selected_option": None}}})
    assert form_problems(made, empty) == {"hours": REQUIRED, "project": REQUIRED}
    for hours, problem in [
        ("9", "Please enter a number that is 8 or less."),
        ("0", "Please enter a number that is 1 or more."),
        ("2.5", "Please enter a whole number."),
        ("four", "Please enter a number."),
        ("4", None),
    ]:
        state = view_state(made, {"hours": {"h": {"value": hours}}, "note": {"n": {"value": "too long"}}})
        problems = form_problems(made, state)
        assert problems.get("hours") == problem
        assert problems["note"] == "Please enter at most 5 characters."


def test_the_apps_allocation_form_is_complete_when_filled_in() -> None:
    form = build_allocation_modal(
        Draft(user_id="U0MARTA", project=Choice("1000", "Apollo"), hours="4"),
        ModalContext(kind=RequestKind.ALLOCATION),
    )
    made = with_ids(form["blocks"])
    state = view_state(made, {"start_block": {"start": {"selected_date": "2026-12-07"}}})
    assert form_problems(made, state) == {}
    assert state["values"]["person_block"]["person"] == {
        "type": "multi_users_select",
        "selected_users": ["U0MARTA"],
    }


def test_a_click_reports_the_buttons_value_and_a_change_the_new_state() -> None:
    made = blocks()
    button = made[-1]["elements"][0] | {"value": "v", "style": "primary"}
    assert action_of(made[-1], button, None, "1.2") == {
        "type": "button",
        "block_id": made[-1]["block_id"],
        "action_id": button["action_id"],
        "action_ts": "1.2",
        "text": button["text"],
        "value": "v",
        "style": "primary",
    }
    element = made[3]["element"]
    changed = action_of(made[3], element, state_of(element, {"selected_option": OPTION}), "1.3")
    assert changed["selected_option"] == OPTION
    assert changed["type"] == "external_select"
