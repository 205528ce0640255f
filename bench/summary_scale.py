"""Benchmark: build and post the daily summary of a day with 20,000 allocations (200 pages) read from the
Wethod simulator, at 0 ms and at 150 ms a page; prints wall time beside the network floor, the process's
CPU time, peak memory and the machine's load average. Targets: under 3 s at 150 ms a page, under 1.5 s
of CPU at 0 ms.

    python bench/summary_scale.py [--allocations 20000] [--latency 0 0.15] [--runs 3]

The simulator runs in a process of its own, so that its work is not counted as Staffdesk's. The network
floor is pages / pages in flight at once * latency: the wait no client reading at that width can avoid.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchkit import TOKEN, free_port, start_helper, stop_helper
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.clients.wethod.client import MAX_IN_FLIGHT, PAGE_SIZE
from app.policy.file import parse_policy
from app.sandbox.core import Fault, serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.wethod import build_wethod_simulator
from app.services.directory import refresh_directory
from app.services.summary_runs import post_summary
from app.settings import Settings
from app.slack.summary_poster import SlackSummaryPoster
from app.storage import database, migrate
from app.wiring import build_container

DAY = date(2026, 12, 7)
TARGET_WALL_AT_150_MS = 3.0
TARGET_CPU_AT_0_MS = 1.5


@dataclass(frozen=True)
class Figures:
    latency: float
    walls: list[float]
    cpus: list[float]
    calls: int
    posted_kib: float
    rss_mb: float
    traced_mb: float


def fake_slack(posted: list[int]) -> Starlette:
    async def api(request: Request) -> Response:
        posted.append(len(await request.body()))
        return JSONResponse({"ok": True, "ts": f"{len(posted)}.0001", "channel": "C0SUMMARY"})

    return Starlette(routes=[Route("/api/{method}", api, methods=["POST"])])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


async def serve_wethod(allocations: int, latency: float, port: int) -> None:
    """The Wethod simulator with the big day, each allocation page answered after `latency` seconds."""
    logging.disable(logging.WARNING)
    company = demo_company(people=5_000, projects=2_000)
    wethod = build_wethod_simulator(company)
    for index in range(allocations):
        person = company.people[index % len(company.people)]
        project = company.projects[(index * 7) % len(company.projects)]
        wethod.state.add_allocation(person.id, project.id, DAY, 1 + index % 4)
    for row in wethod.state.allocations.values():
        row.to_json()  # the simulator keeps each row's wire form: worked out now, not while timed
    wethod.control.faults.append(
        Fault(
            after_commit=True,
            delay_seconds=latency,
            count=1_000_000,
            method="GET",
            path_prefix="/api/people-allocations",
        )
    )
    async with serve_in_background(wethod.app, port=port) as url:
        print("ready", " ".join(f"{k}={v}" for k, v in wethod.settings_for(url).items()), flush=True)
        await asyncio.Event().wait()


async def run_at(allocations: int, latency: float, runs: int) -> Figures:
    simulator, pairs = start_helper(
        __file__,
        "--serve-wethod",
        str(free_port()),
        "--allocations",
        str(allocations),
        "--latency",
        str(latency),
    )
    try:
        return await measure(dict(pair.split("=", 1) for pair in pairs), latency, runs)
    finally:
        stop_helper(simulator)


async def measure(wethod_env: dict[str, str], latency: float, runs: int) -> Figures:
    posted: list[int] = []
    walls: list[float] = []
    cpus: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        engine = database.create_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        await migrate.upgrade(engine)
        async with serve_in_background(fake_slack(posted)) as slack:
            env = wethod_env | {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_API_URL": f"{slack}/api/",
                "STAFFDESK_SUMMARY_CHANNEL": "C0SUMMARY",
            }
            settings = Settings.model_validate({k.lower(): v for k, v in env.items()})
            container = build_container(
                settings, parse_policy("roles: {}\n", Path("bench.yml")), engine=engine
            )
            for source in container.directory_sources:
                await refresh_directory(source, container.unit_of_work, container.clock)
            poster = SlackSummaryPoster(container.slack_client)
            for run in range(runs):  # each run posts to a channel of its own: one summary per day and channel
                began_cpu, began = time.process_time(), time.perf_counter()
                ts = await post_summary(container.summaries, poster, DAY, f"C0RUN{run}")
                walls.append(time.perf_counter() - began)
                cpus.append(time.process_time() - began_cpu)
                assert ts is not None
            calls = len(posted) // runs
            rss = peak_rss_mb()
            tracemalloc.start()  # one more run, traced, for what Python allocates (tracing slows it down)
            await post_summary(container.summaries, poster, DAY, "C0TRACED")
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            await container.upstreams.aclose()
        await engine.dispose()
    return Figures(latency, walls, cpus, calls, sum(posted[:calls]) / 1024, rss, traced_peak / 1024 / 1024)


def report(allocations: int, figures: list[Figures]) -> None:
    pages = -(-allocations // PAGE_SIZE)
    print(f"day {DAY}: {allocations} allocations over {pages} pages, {MAX_IN_FLIGHT} pages in flight at once")
    print(
        f"{'per page':>8} | {'wall (median, min)':>18} | {'network floor':>13} | {'wall/floor':>10} | "
        "CPU (median)"
    )
    for f in figures:
        wall, cpu = statistics.median(f.walls), statistics.median(f.cpus)
        floor = pages / MAX_IN_FLIGHT * f.latency
        ratio = f"{wall / floor:.2f}x" if floor else "-"
        print(
            f"{f.latency * 1000:>5.0f} ms | {wall:>7.2f} s, {min(f.walls):.2f} s | {floor:>11.2f} s | "
            f"{ratio:>10} | {cpu:.2f} s ({cpu / wall:.0%} of the wall time)"
        )
    last = figures[-1]
    print(f"each run: {last.calls} Slack calls ({last.posted_kib:.0f} KiB)")
    print(
        f"peak memory: process peak RSS {max(f.rss_mb for f in figures):.0f} MB; "
        f"{max(f.traced_mb for f in figures):.1f} MB allocated by Python at the peak of a traced run"
    )
    for f in figures:
        wall, cpu = statistics.median(f.walls), statistics.median(f.cpus)
        if f.latency == 0:
            verdict = "met" if cpu < TARGET_CPU_AT_0_MS else "NOT met"
            print(f"target at 0 ms: CPU < {TARGET_CPU_AT_0_MS} s: {verdict} ({cpu:.2f} s)")
        elif abs(f.latency - 0.15) < 1e-9:
            verdict = "met" if wall < TARGET_WALL_AT_150_MS else "NOT met"
            print(f"target at 150 ms: wall < {TARGET_WALL_AT_150_MS} s: {verdict} ({wall:.2f} s)")


async def main(allocations: int, latencies: list[float], runs: int) -> None:
    logging.disable(logging.WARNING)
    load_before = load_average()
    figures = [await run_at(allocations, latency, runs) for latency in latencies]
    report(allocations, figures)
    print(f"load average: {load_before} before, {load_average()} after")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocations", type=int, default=20_000)
    parser.add_argument(
        "--latency", type=float, nargs="+", default=[0.0, 0.15], help="seconds before each page is answered"
    )
    parser.add_argument("--runs", type=int, default=3, help="summaries built and posted at each latency")
    parser.add_argument("--serve-wethod", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_wethod:
        asyncio.run(serve_wethod(arguments.allocations, arguments.latency[0], arguments.serve_wethod))
    else:
        asyncio.run(main(arguments.allocations, arguments.latency, arguments.runs))
