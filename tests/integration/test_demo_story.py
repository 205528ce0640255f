"""The whole demo in this process, without a browser: a requester asks, the PM approves from the DM, the
thread and App Home show the result; the real app on signed requests, its Web API calls in the stand-in."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.demo.blockkit import elements
from app.demo.client import Place
from app.demo.runner import Demo, PortTaken, next_working_days, running_demo
from app.demo.store import Message, SlackState
from app.demo.workspace import CHANNEL_ID
from app.slack.ids import Action, Block, Callback


async def until(state: SlackState, check: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for the stand-in's state to change until `check()` holds."""
    deadline = time.monotonic() + seconds
    while not check():
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the demo did not get there in time")
        await state.wait_past(state.version, left)


def top_view(demo: Demo, user: str) -> dict[str, Any]:
    stack = demo.state.stacks.get(user)
    return stack[-1].body if stack else {}


def request_message(demo: Demo, title: str) -> Message:
    """The request's message in the channel (the daily summary may be there too, when it is due)."""
    return next(m for m in demo.state.conversations[CHANNEL_ID].messages if title in m.text)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def said(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


async def test_the_demo_runs_the_allocation_story_on_the_real_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = next_working_days(date.today(), 2)
    async with running_demo(port=0) as demo:
        state, client = demo.state, demo.client
        await client.type("U0MARTA", CHANNEL_ID, f"/allocate @marta apollo {first}..{second} 4h")

        def filled() -> bool:
            blocks = {b.get("block_id"): b for b in top_view(demo, "U0MARTA").get("blocks", [])}
            project = blocks.get(Block.PROJECT, {}).get("element", {})
            return "initial_option" in project

        await until(state, filled)
        form = top_view(demo, "U0MARTA")
        assert form["callback_id"] == Callback.ALLOCATION
        assert await client.submit("U0MARTA", form["id"], {}) == {}
        await until(state, lambda: "Request sent" in said(top_view(demo, "U0MARTA")))
        request = request_message(demo, "Allocation: Marta Gallo on Apollo Website")
        assert "Waiting for approval" in request.text

        await until(state, lambda: bool(state.conversations.get("D0ANA")))
        question = state.conversations["D0ANA"].messages[0]
        approve = next((b, e) for b, e in elements(question.blocks) if e.get("action_id") == Action.APPROVE)
        await client.act(
            "U0ANA", Place(channel="D0ANA", ts=question.ts), approve[0]["block_id"], Action.APPROVE, None, {}
        )

        def thread() -> list[str]:
            return [m.text for m in state.conversations[CHANNEL_ID].messages if m.thread_ts == request.ts]

        await until(state, lambda: "Done" in request.text and any("Wethod id" in text for text in thread()))
        assert any("Approved by <@U0ANA>" in text for text in thread())
        assert "Decided" in state.conversations["D0ANA"].messages[0].text

        await client.open_home("U0MARTA", "home")
        await until(
            state, lambda: "Your requests" in said(state.homes.get("U0MARTA") and state.homes["U0MARTA"].body)
        )
        home = said(state.homes["U0MARTA"].body["blocks"])
        assert "Apollo Website" in home
        assert "Done" in home
        folder = demo.folder
        assert {"policy.yml", "staffdesk.db"} <= set(files_in(folder))
    assert files_in(folder) == []
    assert files_in(tmp_path) == []  # nothing left where it ran


async def test_the_demo_says_when_its_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortTaken, match=f"port {port} .* in use"):
            async with running_demo(port=port):
                pass


async def test_the_resource_manager_in_the_resourcing_group_is_approved_at_once() -> None:
    [first] = next_working_days(date.today(), 1)
    async with running_demo(port=0) as demo:
        state, client = demo.state, demo.client
        await client.type("U0GIULIA", CHANNEL_ID, f"/allocate @sofia apollo {first} 8h")
        await until(state, lambda: "initial_option" in said(top_view(demo, "U0GIULIA")))
        form = top_view(demo, "U0GIULIA")
        assert await client.submit("U0GIULIA", form["id"], {}) == {}
        await until(state, lambda: "approved" in said(top_view(demo, "U0GIULIA")))
        assert "You may do this yourself" in said(top_view(demo, "U0GIULIA"))
        request = request_message(demo, "Allocation: Sofia Rizzo on Apollo Website")
        await until(state, lambda: "Done" in request.text)
