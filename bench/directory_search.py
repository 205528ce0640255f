"""Benchmark: project search as the pickers' option loads make it (from the in-memory index), by size.

For each size (10,000 and 100,000 projects by default) and database (a temporary SQLite file, and PostgreSQL
in a schema of its own when DATABASE_URL is set): stores the demo company's projects with a refresh, builds
the index as a starting process does (`DirectoryIndex.catch_up`), with the longest stretch the event loop
was held meanwhile, then times the option-load path (`DirectoryIndex.project_choices`, the call the options
listener makes, limit 50) and the same queries on a bare in-memory prefix index of the same projects,
checking that both answer alike. Prints p50/p99 beside the target (p99 < 5 ms) and the ratio to the bare
index, the old database search on a sample of the queries, a refresh that changes nothing and one that
renames a project (whether each rebuilt the index, and the loop's longest stall), the index's memory
(tracemalloc: what a start-up build keeps), and the load average.

    python bench/directory_search.py [--projects 10000 100000] [--searches 2000] [--database-searches 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from benchkit import database_at, percentile

from app.domain.directory import DirectoryPerson, DirectoryProject, query_words, search_words
from app.domain.upstreams import Upstream
from app.sandbox.demo import demo_company
from app.services.directory import refresh_directory, search_projects
from app.services.directory_index import PAGE_SIZE, DirectoryIndex
from app.slack.listeners.options import MAX_OPTIONS
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from app.wiring import utc_now

TARGET_P99_MS = 5.0
W = Upstream.WETHOD
Done = TypeVar("Done")


@dataclass
class ListedProjects:
    """A directory source that lists the same projects every time (the refresh stores them once)."""

    projects: list[DirectoryProject]
    upstream: Upstream = W
    incremental: bool = False
    people: list[DirectoryPerson] = field(default_factory=list)

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        return self.people

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        return self.projects


class BareIndex:
    """The floor: each word prefix -> the projects (as read, in answer order) having a word that starts so;
    queries come as their words already folded, answers are the stored objects."""

    def __init__(self, projects: list[DirectoryProject]) -> None:
        texts = [search_words(p.name, p.job_order) for p in projects]
        order = sorted(
            range(len(projects)), key=lambda i: (projects[i].archived, texts[i], projects[i].upstream_id)
        )
        self.projects = [projects[i] for i in order]
        self.texts = [texts[i] for i in order]
        self.by_prefix: dict[str, list[int]] = {}
        for rank, words in enumerate(self.texts):
            for prefix in {w[:end] for w in words.split() for end in range(1, len(w) + 1)}:
                self.by_prefix.setdefault(prefix, []).append(rank)

    def search(self, words: list[str], limit: int) -> list[DirectoryProject]:
        if not words:
            return self.projects[:limit]
        first, *others = sorted(set(words), key=lambda w: len(self.by_prefix.get(w, ())))
        needles = [f" {w}" for w in others]
        found: list[DirectoryProject] = []
        for rank in self.by_prefix.get(first, ()):
            if all(n in self.texts[rank] for n in needles):
                found.append(self.projects[rank])
                if len(found) == limit:
                    break
        return found


def projects_of(size: int) -> list[DirectoryProject]:
    return [
        DirectoryProject(
            upstream=W,
            upstream_id=str(p.id),
            name=p.name,
            job_order=p.job_order,
            pm_id=str(p.pm_id),
            account_id=str(p.account_id),
            archived=p.archived,
            whitelist_enabled=p.whitelist_enabled,
        )
        for p in demo_company(people=40, projects=size).projects
    ]


def people_of(count: int) -> list[DirectoryPerson]:
    return [
        DirectoryPerson(
            upstream=W,
            upstream_id=str(p.id),
            name=f"{p.first_name} {p.last_name}",
            email=p.email,
            role=p.role,
        )
        for p in demo_company(people=count, projects=1).people
    ]


def queries_for(projects: list[DirectoryProject], count: int) -> list[str]:
    """What people type: the start of a name word (most), two words, job-order pieces, and misses."""
    rng = random.Random(1)  # noqa: S311 (benchmark queries)
    words = [w for p in projects[:300] for w in p.name.split()]
    orders = [p.job_order or "" for p in projects[:: max(1, len(projects) // 300)]]
    made: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.70:
            made.append(rng.choice(words)[: rng.randint(2, 6)])
        elif roll < 0.85:
            made.append(f"{rng.choice(words)[: rng.randint(2, 5)]} {rng.choice(words)[: rng.randint(1, 4)]}")
        elif roll < 0.95:
            made.append(rng.choice(orders)[: rng.randint(4, 12)])
        else:
            made.append(rng.choice(["zz", "qx", "apollo zz", "jo-1999"]))
    return made


def timed_ms(call: Callable[[], object]) -> float:
    began = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - began) / 1e6


@dataclass(frozen=True)
class Held(Generic[Done]):
    """What some work gave, the seconds it took, the longest the event loop went meanwhile without running
    a heartbeat that sleeps 1 ms at a time (ms, the 1 ms included), and the longest full garbage
    collection meanwhile (ms), which stops every thread."""

    result: Done
    seconds: float
    stall_ms: float
    collection_ms: float

    def __str__(self) -> str:
        return (
            f"{self.seconds:.3f} s, event loop held at most {self.stall_ms:.0f} ms "
            f"(longest full garbage collection {self.collection_ms:.0f} ms)"
        )


async def held(work: Awaitable[Done]) -> Held[Done]:
    longest, done = 0.0, False
    collections: list[float] = []
    began_collecting = 0.0

    def collecting(phase: str, info: dict[str, int]) -> None:
        nonlocal began_collecting
        if phase == "start":
            began_collecting = time.perf_counter()
        elif info["generation"] == 2:
            collections.append(time.perf_counter() - began_collecting)

    async def beat() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    gc.callbacks.append(collecting)
    beating = asyncio.create_task(beat())
    await asyncio.sleep(0)
    began = time.perf_counter()
    try:
        result = await work
    finally:
        took = time.perf_counter() - began
        done = True
        await beating
        gc.callbacks.remove(collecting)
    return Held(result, took, longest * 1000, max(collections, default=0.0) * 1000)


def figures(samples: list[float]) -> str:
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {max(samples):.2f} ms"


async def run(url: str, size: int, searches: int, database_searches: int, memory: bool) -> bool:
    projects = projects_of(size)
    async with database_at(url) as engine:
        writing, reading = database.session_factory(engine), database.session_factory(engine, read_only=True)

        def read_only() -> SqlUnitOfWork:
            return SqlUnitOfWork(reading)

        def writer() -> SqlUnitOfWork:
            return SqlUnitOfWork(writing)

        source = ListedProjects(projects, people=people_of(size // 20))
        began = time.perf_counter()
        await refresh_directory(source, writer, utc_now)
        stored = time.perf_counter() - began
        index = DirectoryIndex(read_only)
        start_up = await held(index.catch_up())
        print(
            f"{engine.dialect.name}, {size:,} projects, {len(source.people):,} people: stored by a refresh "
            f"in {stored:.1f} s; index built as at start-up (read in pages of {PAGE_SIZE:,} + build) in "
            f"{start_up}"
        )

        p99 = await compare(index, projects, searches, database_searches, read_only)
        for change in ("nothing changed", "one project renamed"):
            if change != "nothing changed":
                source.projects = [projects[0].model_copy(update={"name": "Renamed Project"}), *projects[1:]]
            refreshed = await held(refresh_directory(source, writer, utc_now))
            caught = await held(index.catch_up([W]))  # as the refresh then does
            print(
                f"  full refresh, {change}: {refreshed.result.changed} entries changed, {refreshed}\n"
                f"    then the index's catch-up: {'rebuilt' if caught.result else 'not rebuilt'}, {caught}"
            )
        if memory:
            kept = await retained_mib(read_only)
            print(f"  index memory: {kept:.1f} MiB (tracemalloc: what a start-up build keeps)")
        return p99 < TARGET_P99_MS


async def compare(
    index: DirectoryIndex,
    projects: list[DirectoryProject],
    searches: int,
    database_searches: int,
    read_only: Callable[[], SqlUnitOfWork],
) -> float:
    """Times the option loads, the bare index and the database search on the same queries, checks that
    the index and the bare one answer alike, prints the figures, and returns the option loads' p99 (ms).
    The bare index is let go on return, so that later figures do not carry its weight."""
    queries = queries_for(projects, searches)
    async with read_only() as uow:
        bare = BareIndex(await uow.directory.all_projects(W))
    option_loads = [timed_ms(lambda q=q: index.project_choices(W, q, limit=MAX_OPTIONS)) for q in queries]
    folded = [query_words(q) for q in queries]
    floor = [timed_ms(lambda w=w: bare.search(w, MAX_OPTIONS)) for w in folded]
    for query, words in zip(queries, folded, strict=True):
        ours = [p.upstream_id for p in index.project_choices(W, query, limit=MAX_OPTIONS)]
        assert ours == [p.upstream_id for p in bare.search(words, MAX_OPTIONS)], query
    p99 = percentile(option_loads, 0.99)
    print(
        f"  option load (DirectoryIndex.project_choices, limit {MAX_OPTIONS}), {len(queries)} searches: "
        f"{figures(option_loads)}; target p99 < {TARGET_P99_MS:.0f} ms: "
        f"{'met' if p99 < TARGET_P99_MS else 'MISSED'}"
    )
    print(
        f"  bare in-memory index, same queries and answers: {figures(floor)}; ratio "
        f"p50 {percentile(option_loads, 0.5) / percentile(floor, 0.5):.1f}x, "
        f"p99 {p99 / percentile(floor, 0.99):.1f}x"
    )
    if database_searches:
        old = []
        for query in queries[:database_searches]:
            began = time.perf_counter()
            await search_projects(read_only, W, query, limit=MAX_OPTIONS)
            old.append((time.perf_counter() - began) * 1000)
        print(f"  database search (the path before), {len(old)} searches: {figures(old)}")
    return p99


async def retained_mib(read_only: Callable[[], SqlUnitOfWork]) -> float:
    """What a fresh index keeps once built from the database: everything allocated while it was built
    that is still alive afterwards."""
    gc.collect()
    tracemalloc.start()
    index = DirectoryIndex(read_only)
    await index.catch_up()
    gc.collect()
    kept, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert index.built(W) is not None
    return kept / 2**20


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} cores"


async def main(sizes: list[int], searches: int, database_searches: int) -> None:
    began = time.perf_counter()
    print(f"load average at start: {load_average()}")
    met = True
    with tempfile.TemporaryDirectory() as folder:
        postgres = os.environ.get("DATABASE_URL", "")
        for on_sqlite in (True, False) if postgres.startswith("postgres") else (True,):
            for size in sizes:
                url = f"sqlite:///{Path(folder) / f'bench-{size}.db'}" if on_sqlite else postgres
                memory = on_sqlite and size == max(sizes)
                met = await run(url, size, searches, database_searches, memory) and met
    print(f"load average at end: {load_average()}; {time.perf_counter() - began:.0f} s in all")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {'met everywhere' if met else 'MISSED somewhere'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--database-searches", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.projects, arguments.searches, arguments.database_searches))
