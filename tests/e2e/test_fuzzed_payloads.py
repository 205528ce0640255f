"""Signed but malformed payloads never produce a 500 or a traceback, and never change a request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action, Callback
from tests.e2e.harness import World, running_world, sign

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
known_ids = st.sampled_from([*map(str, Action), *map(str, Callback), "unknown_action", ""])
payloads = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["block_actions", "view_submission", "block_suggestion", "shortcut", "nonsense"]
        ),
        "user": st.one_of(
            st.fixed_dictionaries({"id": st.sampled_from(["U0MARTA", "U0ANA", "U0NOBODY"])}), json_values
        ),
        "team": st.just({"id": "T0ACME"}),
    },
    optional={
        "actions": st.lists(
            st.fixed_dictionaries(
                {"action_id": known_ids, "value": st.one_of(st.text(max_size=3000), json_values)}
            ),
            max_size=2,
        ),
        "view": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "callback_id": known_ids,
                    "private_metadata": st.text(max_size=200),
                    "state": json_values,
                    "id": st.just("V1"),
                }
            ),
        ),
        "action_id": known_ids,
        "value": st.text(max_size=200),
        "trigger_id": st.text(max_size=20),
    },
)
commands = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["/allocate", "/whitelist", "/add-person", "/staffing", "/unknown"]),
        "text": st.text(max_size=300),
        "user_id": st.sampled_from(["U0MARTA", "U0ANA", ""]),
        "team_id": st.just("T0ACME"),
    },
    optional={"channel_id": st.text(max_size=12), "trigger_id": st.text(max_size=12)},
)


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def assert_harmless(world: World, body: str) -> None:
    answer = await world.http.post("/slack/events", content=body, headers=sign(body))
    assert answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text
    assert await requests_of(world.container.unit_of_work, "U0MARTA") == []
    assert all("Traceback" not in t for t in world.slack.texts())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads)
async def test_fuzzed_interactions_are_answered_without_harm(world: World, payload: dict[str, Any]) -> None:
    await assert_harmless(world, urlencode({"payload": json.dumps(payload)}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=commands)
async def test_fuzzed_slash_commands_are_answered_without_harm(world: World, form: dict[str, str]) -> None:
    await assert_harmless(world, urlencode(form))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=500).map(lambda b: b.decode("latin-1")), st.text(max_size=500)))
async def test_garbage_bodies_are_answered_without_harm(world: World, raw: str) -> None:
    await assert_harmless(world, raw)
