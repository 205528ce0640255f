"""Slack messages and views as one readable text, and its comparison with a stored snapshot file."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from app.slack.blocks.common import SlackMessage

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "STAFFDESK_UPDATE_SNAPSHOTS"


def _text(obj: dict[str, Any] | None) -> str:
    return str(obj.get("text", "")) if obj else ""


def _initial(element: dict[str, Any]) -> str:
    if "initial_value" in element:
        return str(element["initial_value"])
    if "initial_option" in element:
        return _text(element["initial_option"].get("text"))
    if "initial_options" in element:
        return ", ".join(_text(o.get("text")) for o in element["initial_options"])
    if "initial_users" in element:
        return ", ".join(element["initial_users"])
    return str(element.get("initial_user") or element.get("initial_date") or "")


def _element(element: dict[str, Any], label: str = "") -> list[str]:
    if element.get("type") == "button":
        return [f"[{_text(element.get('text'))}]"]
    lines = [f"<{label or _text(element.get('placeholder'))}: {_initial(element)}>"]
    if options := element.get("options"):
        lines.append("  options: " + " | ".join(_text(o.get("text")) for o in options))
    if placeholder := element.get("placeholder"):
        lines.append(f"  placeholder: {_text(placeholder)}")
    return lines


def _block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "divider":
        return ["---"]
    if kind == "header":
        return [f"# {_text(block.get('text'))}"]
    if kind == "context":
        return [" ".join(_text(e) for e in block.get("elements", []))]
    if kind == "actions":
        return [" ".join(line for e in block.get("elements", []) for line in _element(e)[:1])]
    if kind == "input":
        optional = " (optional)" if block.get("optional") else ""
        lines = _element(block["element"], _text(block.get("label")) + optional)
        return lines + ([f"  hint: {_text(block['hint'])}"] if block.get("hint") else [])
    lines = [_text(block.get("text"))]
    if accessory := block.get("accessory"):
        lines += _element(accessory)
    return lines


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Every block's text in order: buttons as `[Label]`, inputs as `<Label: initial value>`."""
    return "\n".join(line for block in blocks for line in _block(block))


def message_text(message: SlackMessage) -> str:
    return f"(notification) {message.text}\n\n{blocks_text(message.blocks)}"


def view_text(view: dict[str, Any]) -> str:
    buttons = " ".join(f"[{_text(view[k])}]" for k in ("close", "submit") if k in view)
    title = _text(view.get("title")) or "App Home"
    return f"== {title} ==\n{blocks_text(view['blocks'])}\n{buttons}".rstrip()


def check_snapshot(kind: str, shown: str, directory: Path = SNAPSHOTS) -> None:
    """`shown` equals <directory>/<kind>.txt; with STAFFDESK_UPDATE_SNAPSHOTS=1 it is written instead."""
    path = directory / f"{kind}.txt"
    shown = shown.rstrip("\n") + "\n"
    if os.environ.get(UPDATE) == "1":
        directory.mkdir(exist_ok=True)
        path.write_text(shown, encoding="utf-8")
        return
    accept = f"If the new text reads right, accept it: {UPDATE}=1 pytest tests/unit/test_snapshots.py"
    if not path.exists():
        raise AssertionError(f"No snapshot {path.name} yet. It would be:\n{shown}\n{accept}")
    stored = path.read_text(encoding="utf-8")
    if stored != shown:
        diff = difflib.unified_diff(
            stored.splitlines(keepends=True), shown.splitlines(keepends=True), "stored", "now"
        )
        raise AssertionError(f"{path.name} has changed:\n{''.join(diff)}\n{accept}")
