"""Each person is answered in their Slack language, through the running app: App Home and /staffing in
Italian for a user whose Slack is Italian, in English for the others, with each locale asked of Slack once."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.harness import World, eventually, running_world, sign

ITALIAN = "U0ANA"
ENGLISH = "U0MARTA"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        running.slack.locales[ITALIAN] = "it-IT"
        yield running


async def staffing(world: World, text: str, user: str) -> dict[str, Any]:
    before = len(world.slack.responses)
    assert (await world.command("/staffing", text, user)).status_code == 200
    await eventually(lambda: len(world.slack.responses) > before)
    return world.slack.responses[-1]


async def open_home(world: World, user: str) -> str:
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
    return json.dumps(published["view"], ensure_ascii=False)


def locale_lookups(world: World, user: str) -> int:
    return sum(
        1 for c in world.slack.called("users.info") if c.get("user") == user and c.get("include_locale")
    )


async def test_staffing_help_answers_in_the_language_of_each_persons_slack(world: World) -> None:
    italian = await staffing(world, "help", ITALIAN)
    assert italian["response_type"] == "ephemeral"
    assert italian["text"].startswith("*Staffdesk* raccoglie le richieste di staffing")
    assert "• `/staffing mine`: le tue richieste e il loro stato" in italian["text"]
    english = await staffing(world, "help", ENGLISH)
    assert english["text"].startswith("*Staffdesk* asks for staffing changes")


async def test_staffing_says_in_italian_what_it_did_not_understand(world: World) -> None:
    answer = await staffing(world, "settimanale", ITALIAN)
    assert answer["text"].startswith(":grey_question: “settimanale” non è un comando di /staffing.")
    answer = await staffing(world, "pending per favore", ITALIAN)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "Non ho capito queste parole, quindi le ho ignorate: “per”, “favore”." in shown
    assert "Nessuna richiesta aspetta la tua approvazione." in shown


async def test_app_home_reads_in_italian_for_an_italian_slack(world: World) -> None:
    home = await open_home(world, ITALIAN)
    for words in (
        "Chiedi una modifica allo staffing",
        "Alloca ore",
        "Richieste da approvare",
        "Le tue richieste",
    ):
        assert words in home
    assert "Ask for a staffing change" not in home
    assert "Ask for a staffing change" in await open_home(world, ENGLISH)


async def test_each_locale_is_asked_of_slack_once(world: World) -> None:
    await staffing(world, "help", ITALIAN)
    await staffing(world, "back", ITALIAN)
    await open_home(world, ITALIAN)
    assert locale_lookups(world, ITALIAN) == 1
