"""Who someone is upstream is asked only where it decides what they need: through the real app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.services.queries import requests_of
from app.slack.ids import Action, Block
from app.storage.tables import DirectoryPersonRow
from tests.e2e.harness import World, eventually, option, running_world


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def add_person(world: World, user: str, upstream: str, values: dict[str, Any]) -> dict[str, Any]:
    """Open /add-person as `user`, send the form; the modal as it stands once Staffdesk answered."""
    await world.command("/add-person", upstream, user)
    await eventually(lambda: bool(world.slack.called("views.open")))
    before = len(world.slack.called("views.update"))
    answer = await world.submit(world.last_view(), values, user)
    assert answer.json()["response_action"] == "update"
    await eventually(lambda: len(world.slack.called("views.update")) > before)
    return world.last_view("views.update")


def missionx_values(world: World) -> dict[str, Any]:
    project_id = next(iter(world.sandbox.missionx.state.projects))
    return {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.EMAIL: {Action.EMAIL: {"type": "plain_text_input", "value": "new.hire@acme.example"}},
        Block.PERMISSION: {Action.PERMISSION: option("member")},
    }


def procore_values(world: World) -> dict[str, Any]:
    project_id = str(world.sandbox.procore.state.projects[0]["id"])
    return {
        Block.PROJECT: {Action.PROJECT: option(project_id)},
        Block.LAST_NAME: {Action.LAST_NAME: {"type": "plain_text_input", "value": "Tanaka"}},
    }


async def test_a_resource_manager_with_no_upstream_account_adds_people_to_missionx_and_procore(
    world: World,
) -> None:
    for upstream, values in (("missionx", missionx_values(world)), ("procore", procore_values(world))):
        modal = await add_person(world, "U0OLGA", upstream, values)
        assert "You may do this yourself, so it is approved" in json.dumps(modal)
    asked = await requests_of(world.container.unit_of_work, "U0OLGA")
    assert sorted(r.kind.value for r in asked) == ["missionx_project_person", "procore_project_person"]
    assert all(r.status is RequestStatus.APPROVED and r.approvers == () for r in asked)
    assert await world.deliver() == 2
    assert any(
        p["last_name"] == "Tanaka" for people in world.sandbox.procore.state.people.values() for p in people
    )


async def test_someone_whose_rights_hang_on_managing_the_project_is_told_next_to_the_project(
    world: World,
) -> None:
    async with world.container.engine.begin() as conn:  # Ana has no MissionX seat
        await conn.execute(
            delete(DirectoryPersonRow).where(
                DirectoryPersonRow.upstream == "missionx",
                DirectoryPersonRow.email == "ana.rossi@acme.example",
            )
        )
    await world.container.directory_index.reload(Upstream.MISSIONX)  # as a refresh would
    modal = await add_person(world, "U0ANA", "missionx", missionx_values(world))
    blocks = modal["blocks"]
    at = next(i for i, b in enumerate(blocks) if b.get("block_id") == Block.PROJECT)
    problem = blocks[at + 1]
    assert problem["block_id"] == Block.PROBLEM
    text = problem["elements"][0]["text"]
    assert text == (
        ":warning: No MissionX person has your e-mail address (ana.rossi@acme.example), so Staffdesk "
        "cannot tell whether you manage this project; <@U0GIULIA> can add you to MissionX, or give you "
        "the permission for other people's projects."
    )
    assert await requests_of(world.container.unit_of_work, "U0ANA") == []
