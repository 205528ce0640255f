"""Block Kit as Slack's client handles it: ids for blocks and elements, the state of a view's inputs, the
checks Slack makes before a form is sent, and the action a change or a click reports."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

Json = dict[str, Any]

# Each stateful element's type, and the key its state (and its action) reports.
STATE_KEYS: dict[str, str] = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "users_select": "selected_user",
    "checkboxes": "selected_options",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "multi_users_select": "selected_users",
}
_INITIAL_KEYS: dict[str, str] = {
    "value": "initial_value",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_option": "initial_option",
    "selected_user": "initial_user",
    "selected_options": "initial_options",
    "selected_users": "initial_users",
}
_LISTS = {"selected_options", "selected_users"}
INTERACTIVE = {*STATE_KEYS, "button", "overflow"}
REQUIRED = "Please complete this required field."


def _new_id() -> str:
    return secrets.token_urlsafe(4)[:5]


def with_ids(blocks: list[Json]) -> list[Json]:
    """The blocks as Slack keeps them: every block has a block_id and every interactive element an
    action_id (Slack makes up the ones not given)."""
    kept: list[Json] = []
    for block in blocks:
        block = dict(block)
        block.setdefault("block_id", _new_id())
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            block["element"] = _with_action_id(block["element"])
        elif block.get("type") == "actions" and isinstance(block.get("elements"), list):
            block["elements"] = [_with_action_id(e) for e in block["elements"]]
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            block["accessory"] = _with_action_id(block["accessory"])
        kept.append(block)
    return kept


def _with_action_id(element: Any) -> Any:
    if isinstance(element, dict) and element.get("type") in INTERACTIVE and "action_id" not in element:
        return {**element, "action_id": _new_id()}
    return element


def elements(blocks: list[Json]) -> Iterator[tuple[Json, Json]]:
    """Each interactive element with its block: inputs, actions and section accessories."""
    for block in blocks:
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            found = [block["element"]]
        elif block.get("type") == "actions":
            found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            found = [block["accessory"]]
        else:
            continue
        for element in found:
            if element.get("type") in INTERACTIVE:
                yield block, element


def find_element(blocks: list[Json], block_id: str, action_id: str) -> tuple[Json, Json] | None:
    return next(
        (
            (b, e)
            for b, e in elements(blocks)
            if b.get("block_id") == block_id and e.get("action_id") == action_id
        ),
        None,
    )


def state_of(element: Json, given: Mapping[str, Any] | None = None) -> Json:
    """An element's state as Slack reports it: what the user gave, else the element's initial value."""
    kind = str(element.get("type"))
    key = STATE_KEYS[kind]
    value = given[key] if given is not None and key in given else element.get(_INITIAL_KEYS[key])
    if key in _LISTS:
        value = list(value) if isinstance(value, list) else []
    elif key == "selected_option":
        value = _option(value)
    elif value is not None:
        value = str(value)
    return {"type": kind, key: value if value != "" else None}


def _option(value: Any) -> Json | None:
    if not isinstance(value, dict) or "value" not in value:
        return None
    return {"text": value.get("text"), "value": value["value"]}


def view_state(blocks: list[Json], given: Mapping[str, Mapping[str, Any]]) -> Json:
    """`state.values` of a view: every stateful element, by block and action id."""
    values: dict[str, dict[str, Json]] = {}
    for block, element in elements(blocks):
        if element.get("type") not in STATE_KEYS:
            continue
        block_id, action_id = str(block["block_id"]), str(element["action_id"])
        mine = (given.get(block_id) or {}).get(action_id)
        values.setdefault(block_id, {})[action_id] = state_of(element, mine)
    return {"values": values}


def _empty(state: Json) -> bool:
    key = STATE_KEYS[str(state["type"])]
    return not state.get(key)


def _number_problem(element: Json, text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return "Please enter a number."
    if not number.is_finite():
        return "Please enter a number."
    if not element.get("is_decimal_allowed") and number != number.to_integral_value():
        return "Please enter a whole number."
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < Decimal(str(low)):
        return f"Please enter a number that is {low} or more."
    if high is not None and number > Decimal(str(high)):
        return f"Please enter a number that is {high} or less."
    return None


def form_problems(blocks: list[Json], state: Json) -> dict[str, str]:
    """What Slack's client refuses before a form is sent: empty required inputs, numbers out of range or
    not whole, texts too short or too long; by block id."""
    problems: dict[str, str] = {}
    values = state.get("values") or {}
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        if element.get("type") not in STATE_KEYS:
            continue
        current = (values.get(block["block_id"]) or {}).get(element.get("action_id")) or state_of(element)
        if _empty(current):
            if not block.get("optional"):
                problems[block["block_id"]] = REQUIRED
            continue
        text = current.get("value")
        if not isinstance(text, str):
            continue
        if element["type"] == "number_input":
            problem = _number_problem(element, text)
        elif len(text) < int(element.get("min_length") or 0):
            problem = f"Please enter at least {element['min_length']} characters."
        elif element.get("max_length") and len(text) > int(element["max_length"]):
            problem = f"Please enter at most {element['max_length']} characters."
        else:
            problem = None
        if problem:
            problems[block["block_id"]] = problem
    return problems


def action_of(block: Json, element: Json, state: Json | None, action_ts: str) -> Json:
    """The `actions` entry of a block_actions payload for a click or a change of `element`."""
    action: Json = {
        "type": element.get("type"),
        "block_id": block.get("block_id"),
        "action_id": element.get("action_id"),
        "action_ts": action_ts,
    }
    if element.get("type") == "button":
        action |= {"text": element.get("text"), "value": element.get("value")}
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if state is not None:
        action |= {k: v for k, v in state.items() if k != "type"}
    return action
