"""What each Slack request kind asks of the database, counted (tests/round_trips.py says how), in a warm
process: an option load asks nothing, and a slash command, a submission and a click ask no more than
their figures below. A change that adds round trips makes this fail: lower the figure when it goes down."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services.queries import requests_of
from app.slack.ids import Action
from tests.e2e.harness import World, allocation_values, eventually, running_world, settled
from tests.round_trips import RoundTrips, counting_round_trips

# Per database: the slash command, the option load, the submission with all its Slack notices, and the
# Approve click with all of its notices.
EXPECTED = {
    "postgresql": {"command": 0, "options": 0, "submission": 20, "click": 17},
    "sqlite": {"command": 0, "options": 0, "submission": 38, "click": 28},
}


@pytest.fixture
async def counted(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[World, RoundTrips]]:
    with counting_round_trips(engine, monkeypatch) as trips:
        async with running_world(engine, tmp_path) as world:
            trips.leave_out_this_task()
            # The worker's heartbeat is written on a timer, with whatever claim comes when it is due: it
            # belongs to no request, so it is put off past the test.
            world.container.worker.heartbeat.every = timedelta(days=1)
            yield world, trips


async def all_told(world: World) -> None:
    """Every Slack notice of every request is sent (read by this test's task, so not counted)."""

    async def owed() -> int:
        async with world.container.unit_of_work() as uow:
            return len(await uow.notices.unsent())

    assert await settled(owed, lambda n: n == 0, seconds=10) == 0


async def one_story(world: World, trips: RoundTrips, day: str, n: int) -> dict[str, int]:
    counts = {}
    trips.reset()
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: len(world.slack.called("views.open")) == n)
    counts["command"] = trips.total

    trips.reset()
    assert await world.project_options("apol", world.last_view()["private_metadata"])
    counts["options"] = trips.total

    trips.reset()
    await world.submit(world.last_view(), allocation_values("U0MARTA", day, None, "5"), "U0MARTA")
    sent = lambda: sum("Request sent" in json.dumps(v) for v in world.slack.called("views.update"))  # noqa: E731
    await eventually(lambda: sent() == n)
    await all_told(world)
    counts["submission"] = trips.total

    (request, *_) = await requests_of(world.container.unit_of_work, "U0MARTA")
    trips.reset()
    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    told = lambda: sum("approved your request" in p["text"] for p in world.slack.called("chat.postMessage"))  # noqa: E731
    await eventually(lambda: told() == n)
    await all_told(world)
    counts["click"] = trips.total
    await world.deliver()
    return counts


async def test_each_request_kind_asks_no_more_of_the_database_than_counted(
    counted: tuple[World, RoundTrips], engine: AsyncEngine
) -> None:
    world, trips = counted
    await one_story(world, trips, "2026-12-21", 1)  # the first caches what a warm process has
    counts = await one_story(world, trips, "2026-12-22", 2)
    expected = EXPECTED[engine.dialect.name]
    assert counts == {kind: min(counts[kind], limit) for kind, limit in expected.items()}, (
        f"round trips {counts} (by kind, last: {dict(trips.kinds)}), at most {expected}"
    )
