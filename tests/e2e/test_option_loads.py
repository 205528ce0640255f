"""Project pickers through the real app over HTTP: a directory refresh by this replica shows in the next
option load (another replica's, once this one catches up: tests/integration/test_directory_index.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.upstreams import Upstream
from app.services.directory import refresh_directory
from tests.e2e.harness import World, eventually, running_world


async def allocation_modal(world: World) -> dict[str, Any]:
    """The allocation modal as Slack holds it once /allocate has opened it."""
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    return world.last_view()


async def project_options(world: World, modal: dict[str, Any], value: str) -> list[str]:
    """The labels the modal's project picker offers for what was typed."""
    return [
        option["text"]["text"] for option in await world.project_options(value, modal["private_metadata"])
    ]


def add_wethod_project(world: World, name: str, job_order: str) -> None:
    state = world.sandbox.wethod.state
    model = next(iter(state.projects.values()))
    stamp = state.stamp()
    new_id = max(state.projects) + 1
    state.projects[new_id] = dataclasses.replace(
        model,
        id=new_id,
        name=name,
        job_order=job_order,
        is_archived=False,
        created_at=stamp,
        updated_at=stamp,
    )


async def refresh_wethod(world: World) -> None:
    """What this replica's refresh job does: refresh the directory, then rebuild its project index."""
    container = world.container
    source = next(s for s in container.directory_sources if s.upstream is Upstream.WETHOD)
    report = await refresh_directory(
        source, container.unit_of_work, container.clock, index=container.directory_index
    )
    assert report.errors == ()


async def test_a_project_added_upstream_is_offered_as_soon_as_the_directory_is_refreshed(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with running_world(engine, tmp_path) as world:
        modal = await allocation_modal(world)
        assert await project_options(world, modal, "nebula") == ["No project matches “nebula”"]
        add_wethod_project(world, "Nebula Launch", "JO-2026-0999")
        await refresh_wethod(world)
        assert await project_options(world, modal, "nebula") == ["Nebula Launch (JO-2026-0999)"]
