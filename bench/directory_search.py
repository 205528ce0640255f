"""Benchmark: refresh a 10,000-project, 5,000-person directory from the Wethod simulator, then search it.

Prints the refresh time and the p50/p99 latency of project and people searches as the Slack option
loads run them (one unit of work per search). Target: p99 under 20 ms.

    python bench/directory_search.py [--projects 10000] [--people 5000] [--searches 1000]

Uses a temporary SQLite file, or DATABASE_URL when it is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchkit import percentile

from app.clients.wethod.client import WethodClient
from app.domain.upstreams import Upstream
from app.integrations.wethod import WethodDirectorySource
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.wethod import build_wethod_simulator
from app.services.directory import refresh_directory, search_people, search_projects
from app.storage import database, migrate
from app.storage.unit_of_work import SqlUnitOfWork
from app.wiring import utc_now


async def main(projects: int, people: int, searches: int) -> None:
    company = demo_company(people=people, projects=projects)
    simulator = build_wethod_simulator(company)
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = database.create_engine(url)
        await migrate.upgrade(engine)
        sessions = database.session_factory(engine)

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(sessions)

        async with serve_in_background(simulator.app) as base_url:
            settings = simulator.settings_for(base_url)
            client = WethodClient(base_url, settings["WETHOD_TOKEN"], settings["WETHOD_COMPANY"])
            started = time.perf_counter()
            report = await refresh_directory(WethodDirectorySource(client), uow, utc_now)
            refresh_seconds = time.perf_counter() - started
            await client.aclose()

        rng = random.Random(1)  # noqa: S311 (benchmark queries)
        words = [w for p in company.projects[:200] for w in p.name.split()] + ["jo-2026", "0042", "zz"]
        names = [w for p in company.people[:200] for w in (p.first_name, p.last_name[:3])]
        timings: dict[str, list[float]] = {"projects": [], "people": []}
        for _ in range(searches):
            query = rng.choice(words)[: rng.randint(2, 6)]
            began = time.perf_counter()
            await search_projects(uow, Upstream.WETHOD, query, limit=100)
            timings["projects"].append((time.perf_counter() - began) * 1000)
            query = rng.choice(names)[: rng.randint(2, 5)]
            began = time.perf_counter()
            await search_people(uow, Upstream.WETHOD, query, limit=100)
            timings["people"].append((time.perf_counter() - began) * 1000)
        await engine.dispose()

    print(f"database: {database.safe_url(url).split(':')[0]}")
    print(
        f"refresh from the Wethod simulator: {report.projects} projects, {report.people} people "
        f"in {refresh_seconds:.2f} s"
    )
    for kind, samples in timings.items():
        print(
            f"search {kind}: {len(samples)} queries, p50 {percentile(samples, 0.5):.2f} ms, "
            f"p99 {percentile(samples, 0.99):.2f} ms, max {max(samples):.2f} ms, "
            f"mean {statistics.fmean(samples):.2f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--searches", type=int, default=1_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.projects, arguments.people, arguments.searches))
