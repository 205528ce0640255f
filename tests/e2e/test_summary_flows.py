"""The daily summary as Slack and the command line see it, read from the Wethod simulator."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.sandbox.core import Fault
from app.services.summary_runs import post_summary
from app.slack.summary_poster import SlackSummaryPoster
from tests.e2e.harness import CHANNEL, World, eventually, running_world

DAY = date(2026, 12, 7)


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        state = running.sandbox.wethod.state
        state.add_allocation(13, 1000, DAY, 6)  # Marta Gallo on Apollo Website
        state.add_allocation(13, 1001, DAY, 4)  # ... and on Borealis: 10 h
        state.add_allocation(1, 1000, DAY, 3)  # Ana Rossi
        yield running


async def test_the_summary_is_posted_in_the_channel_with_its_details_in_the_thread(world: World) -> None:
    ctx = world.container.summaries
    ts = await post_summary(ctx, SlackSummaryPoster(world.container.slack_client), DAY, CHANNEL)
    assert ts is not None
    posts = world.slack.called("chat.postMessage")
    assert posts[0]["channel"] == CHANNEL
    assert "for the company: 2 people, 13 h · 1 over 8 h · " in posts[0]["text"]
    assert "\n2 people, 13 h · 1 over 8 h · " in posts[0]["blocks"][0]["text"]["text"]
    thread = [p for p in posts[1:] if p.get("thread_ts") == ts]
    details = json.dumps([p["blocks"] for p in thread], ensure_ascii=False)
    assert "Apollo Website (JO-2026-0001) · 9 h" in details
    assert "10 h  Marta Gallo" in details
    assert await post_summary(ctx, SlackSummaryPoster(world.container.slack_client), DAY, CHANNEL) is None


async def test_the_summary_still_goes_out_when_wethod_is_down(world: World) -> None:
    world.sandbox.wethod.control.faults.append(
        Fault(status=503, count=20, method="GET", path_prefix="/api/people-allocations")
    )
    ts = await post_summary(
        world.container.summaries, SlackSummaryPoster(world.container.slack_client), DAY, CHANNEL
    )
    assert ts is not None
    top = world.slack.called("chat.postMessage")[0]
    assert "Wethod could not be read" in json.dumps(top["blocks"])


async def test_staffing_summary_shows_today_only_to_the_asker_and_digest_opts_in(world: World) -> None:
    await world.command("/staffing", "summary", "U0MARTA")
    await eventually(lambda: bool(world.slack.responses))
    assert world.slack.responses[-1]["response_type"] == "ephemeral"
    assert "Staffing on" in world.slack.responses[-1]["text"]
    await world.command("/staffing", "digest on", "U0BRUNO")
    await eventually(lambda: len(world.slack.responses) == 2)
    assert "You will get a daily direct message" in world.slack.responses[-1]["text"]
    async with world.container.unit_of_work() as uow:
        assert await uow.summaries.digest_subscribers() == ["U0BRUNO"]


@pytest.mark.parametrize(
    ("language", "top"),
    [("en", "Staffing on Mon 7 Dec for the company: "), ("it", "Staffing del lun 7 dic per l'azienda: ")],
)
async def test_the_command_line_prints_a_readable_dry_run_in_staffdesk_language(
    world: World, tmp_path: Path, fresh_database_url: str, language: str, top: str
) -> None:
    env = {**world.sandbox.env, "DATABASE_URL": fresh_database_url, "PATH": "/usr/bin:/bin"}
    env["STAFFDESK_LANGUAGE"] = language
    (tmp_path / "policy.yml").write_text("roles:\n  pm: [planning.modify]\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "summary",
        "--date",
        DAY.isoformat(),
        "--dry-run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert text.startswith(top)
    if language == "en":
        assert text.startswith("Staffing on Mon 7 Dec for the company: 2 people, 13 h · 1 over 8 h")
        assert "████████ 10 h  Marta Gallo  ⚠ over 8 h" in text
        assert "Apollo Website (JO-2026-0001): 9 h" in text
