"""Benchmark: a full directory refresh from the Wethod simulator of 10,000 projects and 5,000 people, and
of 50,000 projects (and 5,000 people), then a second full refresh where nothing changed, given this
process's project index (built from the first) as the app gives it; prints the times, the entries written,
whether the second refresh moved the content version or rebuilt the index, and the machine's load average.
Targets: 10k in under 3 s, 50k in under 15 s, and a refresh of nothing changed writing no directory row and
leaving the index as it was.

    python bench/directory_refresh.py [--sizes 10000 50000] [--people 5000]

Uses a temporary SQLite file, and also DATABASE_URL's PostgreSQL when it is set (in a schema of its own,
dropped afterwards). The simulator runs in a process of its own, as Wethod would, so that its work is
not counted as Staffdesk's; the wall time still includes waiting for its pages.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchkit import database_at, free_port, start_helper, stop_helper
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clients.wethod.client import WethodClient
from app.integrations.wethod import WethodDirectorySource
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.wethod import build_wethod_simulator
from app.services.directory import RefreshReport, refresh_directory
from app.services.directory_index import DirectoryIndex
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork

TARGETS = {10_000: 3.0, 50_000: 15.0}


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    report: RefreshReport
    written: Counter[str]
    versions: tuple[int, int]  # the content version before and after
    rebuilt: bool  # whether the index passed to the refresh was rebuilt


async def written_since(engine: AsyncEngine, moment: datetime) -> Counter[str]:
    """Directory rows written at or after `moment` (a row left as it was keeps its older `synced_at`),
    and the notes of listed ids, by table."""
    counts: Counter[str] = Counter()
    async with engine.connect() as conn:
        for table in ("directory_people", "directory_projects", "directory_listed"):
            statement = text(f"SELECT count(*) FROM {table} WHERE synced_at >= :moment")  # noqa: S608
            stamp = moment if engine.dialect.name == "postgresql" else moment.replace(tzinfo=None)
            counts[table] = int((await conn.execute(statement, {"moment": stamp})).scalar_one())
    return counts


async def serve_wethod(projects: int, people: int, port: int) -> None:
    logging.disable(logging.WARNING)
    simulator = build_wethod_simulator(demo_company(people=people, projects=projects))
    for row in [*simulator.state.persons.values(), *simulator.state.projects.values()]:
        row.to_json()  # the simulator keeps each row's wire form: worked out now, not while timed
    async with serve_in_background(simulator.app, port=port) as url:
        print("ready", " ".join(f"{k}={v}" for k, v in simulator.settings_for(url).items()), flush=True)
        await asyncio.Event().wait()


async def refresh_twice(settings: dict[str, str], url: str | None) -> list[Run]:
    """A first full refresh into an empty directory, then the project index built from it, then another
    refresh a day later with nothing changed, given the index."""
    runs: list[Run] = []
    async with database_at(url) as engine:
        sessions = database.session_factory(engine)
        reading = database.session_factory(engine, read_only=True)

        def writer() -> SqlUnitOfWork:
            return SqlUnitOfWork(sessions)

        index = DirectoryIndex(lambda: SqlUnitOfWork(reading))
        client = WethodClient(
            settings["WETHOD_BASE_URL"], settings["WETHOD_TOKEN"], settings["WETHOD_COMPANY"]
        )
        source = WethodDirectorySource(client)
        start = datetime.now(UTC)
        for day in range(2):
            moment = start + timedelta(days=day)
            before, version = index.built(source.upstream), await content_version(writer, source)
            began, began_cpu = time.perf_counter(), time.process_time()
            given = index if day else None
            report = await refresh_directory(source, writer, lambda m=moment: m, index=given)
            seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
            versions = (version, await content_version(writer, source))
            rebuilt = index.built(source.upstream) is not before
            runs.append(Run(seconds, cpu, report, await written_since(engine, moment), versions, rebuilt))
            await index.catch_up()  # as the app's periodic catch-up would, untimed
        await client.aclose()
    return runs


async def content_version(writer: Callable[[], SqlUnitOfWork], source: WethodDirectorySource) -> int:
    async with writer() as uow:
        return await uow.directory.content_version(source.upstream)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


def describe(backend: str, projects: int, runs: list[Run]) -> None:
    first, second = runs
    target = TARGETS.get(projects)
    met = "" if target is None else f", target < {target:.0f} s "
    met += "" if target is None else ("met" if first.seconds < target else "NOT met")
    listed = first.report.projects + first.report.people
    print(
        f"{backend:>10} | {projects} projects, {first.report.people} people | first refresh "
        f"{first.seconds:.2f} s (CPU {first.cpu:.2f} s, {first.seconds / listed * 1000:.3f} ms an entry{met})"
    )
    written = second.written["directory_people"] + second.written["directory_projects"]
    print(
        f"{'':>10} | nothing changed | second refresh {second.seconds:.2f} s (CPU {second.cpu:.2f} s), "
        f"{written} of {listed} entries written (target 0 {'met' if written == 0 else 'NOT met'}), "
        f"{second.written['directory_listed']} notes of listed ids"
    )
    kept = second.versions[0] == second.versions[1] and not second.rebuilt
    print(
        f"{'':>10} | nothing changed | {second.report.changed} entries changed, content version "
        f"{second.versions[0]} -> {second.versions[1]} (the first refresh took it from {first.versions[0]}), "
        f"index {'rebuilt' if second.rebuilt else 'not rebuilt'} (target: left as it was, "
        f"{'met' if kept else 'NOT met'})"
    )


async def main(sizes: list[int], people: int) -> None:
    logging.disable(logging.WARNING)
    load_before = load_average()
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
        backends.append(("postgresql", os.environ["DATABASE_URL"]))
    for projects in sizes:
        simulator, pairs = start_helper(
            __file__, "--serve-wethod", str(free_port()), "--sizes", str(projects), "--people", str(people)
        )
        try:
            settings = dict(pair.split("=", 1) for pair in pairs)
            for backend, url in backends:
                describe(backend, projects, await refresh_twice(settings, url))
        finally:
            stop_helper(simulator)
    print(f"load average: {load_before} before, {load_average()} after")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000], help="projects")
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--serve-wethod", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_wethod:
        asyncio.run(serve_wethod(arguments.sizes[0], arguments.people, arguments.serve_wethod))
    else:
        asyncio.run(main(arguments.sizes, arguments.people))
