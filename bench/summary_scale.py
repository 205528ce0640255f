"""Benchmark: build and post the daily summary of a day with 20,000 allocations (200 pages) read from the
Wethod simulator with realistic latency; prints the time and peak memory. Target: under 10 s and 200 MB.

    python bench/summary_scale.py [--allocations 20000] [--latency 0.15]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from benchkit import TOKEN, free_port, start_helper, stop_helper
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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


def fake_slack(posted: list[int]) -> Starlette:
    async def api(request: Request) -> Response:
        posted.append(len(await request.body()))
        return JSONResponse({"ok": True, "ts": f"{len(posted)}.0001", "channel": "C0SUMMARY"})

    return Starlette(routes=[Route("/api/{method}", api, methods=["POST"])])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def serve_wethod(allocations: int, latency: float, port: int) -> None:
    """The Wethod simulator with the big day, in a process of its own so that its work is not timed."""
    logging.disable(logging.WARNING)
    company = demo_company(people=5_000, projects=2_000)
    wethod = build_wethod_simulator(company)
    for index in range(allocations):
        person = company.people[index % len(company.people)]
        project = company.projects[(index * 7) % len(company.projects)]
        wethod.state.add_allocation(person.id, project.id, DAY, 1 + index % 4)
    wethod.control.faults.append(
        Fault(
            after_commit=True,
            delay_seconds=latency,
            count=100_000,
            method="GET",
            path_prefix="/api/people-allocations",
        )
    )
    async with serve_in_background(wethod.app, port=port) as url:
        print("ready", " ".join(f"{k}={v}" for k, v in wethod.settings_for(url).items()), flush=True)
        await asyncio.Event().wait()


async def main(allocations: int, latency: float) -> None:
    logging.disable(logging.WARNING)
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
        await measure(dict(pair.split("=", 1) for pair in pairs), allocations, latency)
    finally:
        stop_helper(simulator)


async def measure(wethod_env: dict[str, str], allocations: int, latency: float) -> None:
    posted: list[int] = []
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
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            ts = await post_summary(container.summaries, poster, DAY, "C0SUMMARY")
            elapsed = time.perf_counter() - started
            rss_after = peak_rss_mb()
            calls = len(posted)
            tracemalloc.start()  # a second run, traced, for what Python allocates (tracing slows it down)
            await post_summary(container.summaries, poster, DAY, "C0TRACED")
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            await container.upstreams.aclose()
        await engine.dispose()
    assert ts is not None
    pages = -(-allocations // 100)
    print(f"day {DAY}: {allocations} allocations over {pages} pages, {latency * 1000:.0f} ms per page answer")
    print(f"built and posted in {elapsed:.2f} s: {calls} Slack calls ({sum(posted[:calls]) / 1024:.0f} KiB)")
    print(
        f"peak memory: process peak RSS {rss_after:.0f} MB ({rss_before:.0f} MB before building); "
        f"{traced_peak / 1024 / 1024:.1f} MB allocated by Python at the peak of a traced run"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocations", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds before each page is answered")
    parser.add_argument("--serve-wethod", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_wethod:
        asyncio.run(serve_wethod(arguments.allocations, arguments.latency, arguments.serve_wethod))
    else:
        asyncio.run(main(arguments.allocations, arguments.latency))
