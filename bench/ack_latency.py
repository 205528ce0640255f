"""Benchmark: how fast Staffdesk acknowledges Slack, beside a minimal Bolt app measured in the same run.

Slash commands (/allocate), option loads (project search) and button clicks (approve) are sent signed
over HTTP on loopback by 1 client back to back, and by 50 concurrent clients that each pause between
their requests as people do (`--think`, 0 to saturate); the time to the HTTP answer (Slack's 3-second
ack) is measured. Each app runs in a process of its own, the fake Slack Web API in another, and the
minimal app does the same kind of work (opening a modal, answering a project search with up to 50
names from a scan of the same 2,000 projects, posting a message). Staffdesk runs as `staffdesk serve`
runs it (its lifespan: background loops, scheduled jobs, one HTTP session for the Web API), with its
directory filled from the Wethod simulator, on SQLite. Both apps run side by side, and the one-client
run alternates between them in rounds, so a change in the machine's speed during the run touches both.
Prints p50/p99 per kind and the ratio of Staffdesk's p99 to the minimal app's; the server's CPU time
per request of each kind beside the minimal app's (the clicks name requests that are not there: each
is a read of the database and an answer); and the machine's load. Targets: CPU per request at most 1.2x
the minimal app's for every kind, p99 at 1 client at most 1.2x the minimal app's, p99 under 100 ms.

    python bench/ack_latency.py [--requests 400] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from benchkit import (
    SECRET,
    TOKEN,
    free_port,
    machine_load,
    percentile,
    settled_cpu,
    start_helper,
    stop_helper,
)
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.domain.requests import RequestKind
from app.policy.file import parse_policy
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.wethod import build_wethod_simulator
from app.services.directory import refresh_directory
from app.settings import Settings
from app.slack.metadata import ModalContext, dump_metadata, use_signing_key
from app.slack.web_client import build_web_client
from app.storage import database, migrate
from app.wiring import build_container, build_http_app


def typed_queries(count: int = 2_000) -> list[str]:
    """What people type into a project picker: the first letters of one or two words of project names."""
    rng = random.Random(7)  # noqa: S311 (benchmark data)
    names = [p.name.split() for p in demo_company(people=10, projects=2_000).projects]
    queries = []
    for _ in range(count):
        words = rng.choice(names)
        first = words[0][: rng.randint(1, len(words[0]))]
        queries.append(first if rng.random() < 0.6 else f"{first} {words[1][: rng.randint(1, 4)]}")
    return queries


QUERIES = typed_queries()
POLICY = "roles:\n  pm: [planning.modify]\nmembers:\n  pm: ['*']\n"


def fake_slack() -> Starlette:
    async def api(request: Request) -> Response:
        await request.body()
        return JSONResponse(
            {
                "ok": True,
                "view": {"id": "V1", "hash": "h"},
                "channel": {"id": "D1"},
                "ts": "1.1",
                "team_id": "T1",  # auth.test: where the token is installed, as Staffdesk checks
                "user_id": "U0BOT",
                "user": {"id": "U1", "profile": {"email": "ana.rossi@acme.example"}},
            }
        )

    async def response_url(request: Request) -> Response:
        await request.body()
        return Response("ok")

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["POST"]),
            Route("/r/{x}", response_url, methods=["POST"]),
        ]
    )


def minimal_bolt(slack_url: str) -> Starlette:
    bolt = AsyncApp(client=build_web_client(TOKEN, slack_url), signing_secret=SECRET)

    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Allocate"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
    }

    async def open_modal(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal)

    names = [(p.name, str(p.id)) for p in demo_company(people=500, projects=2_000).projects]

    async def options(ack: Any, body: dict[str, Any]) -> None:
        """What a minimal project picker does: the names that start with what was typed, up to 50."""
        typed = body.get("value", "").lower()
        found = [(n, i) for n, i in names if n.lower().startswith(typed)][:50]
        await ack(options=[{"text": {"type": "plain_text", "text": n}, "value": i} for n, i in found])

    async def answer_click(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text="This request is gone.")

    bolt.command("/allocate")(open_modal)
    bolt.options("project")(options)
    bolt.action("staffdesk_approve")(answer_click)
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def bodies(slack_url: str) -> dict[str, Callable[[int], str]]:
    response_url = slack_url.removesuffix("api/") + "r/x"
    use_signing_key(SECRET)  # the modal's private_metadata, signed as the app signs it
    meta = dump_metadata(ModalContext(kind=RequestKind.ALLOCATION))

    def command(i: int) -> str:
        return urlencode(
            {
                "command": "/allocate",
                "text": "",
                "user_id": "U0MARTA",
                "channel_id": "C1",
                "team_id": "T1",
                "trigger_id": f"t{i}",
                "response_url": response_url,
            }
        )

    def option(i: int) -> str:
        payload = {
            "type": "block_suggestion",
            "user": {"id": "U0MARTA"},
            "action_id": "project",
            "block_id": "project_block",
            "value": QUERIES[i % len(QUERIES)],
            "view": {"id": "V1", "private_metadata": meta},
            "team": {"id": "T1"},
        }
        return urlencode({"payload": json.dumps(payload)})

    def click(i: int) -> str:
        payload = {
            "type": "block_actions",
            "user": {"id": "U0MARTA"},
            "trigger_id": f"t{i}",
            "team": {"id": "T1"},
            "actions": [
                {
                    "action_id": "staffdesk_approve",
                    "value": json.dumps({"request_id": f"missing-{i}"}),
                    "type": "button",
                    "block_id": "b",
                }
            ],
            "response_url": response_url,
            "container": {"type": "message"},
            "channel": {"id": "D1"},
        }
        return urlencode({"payload": json.dumps(payload)})

    return {"slash command": command, "option load": option, "button click": click}


async def measure(
    url: str, make: Callable[[int], str], total: int, concurrency: int, think: float = 0.0, start: int = 0
) -> list[float]:
    """`concurrency` clients share `total` requests; each waits `think` seconds between its requests."""
    timings: list[float] = []
    verifier = SignatureVerifier(SECRET)
    queue = iter(range(start, start + total))
    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=concurrency)
    ) as http:

        async def client() -> None:
            for i in queue:
                body = make(i)
                stamp = str(int(time.time()))
                headers = {
                    "X-Slack-Request-Timestamp": stamp,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
                }
                began = time.perf_counter()
                answer = await http.post("/slack/events", content=body, headers=headers)
                timings.append((time.perf_counter() - began) * 1000)
                assert answer.status_code == 200, (url, body[:80], answer.text)
                if think:
                    await asyncio.sleep(think * (0.5 + random.random()))  # noqa: S311

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return timings


async def serve(name: str, port: int, slack_url: str) -> None:
    """Run one app (for Staffdesk, with the Wethod simulator) until killed; the fake Slack runs apart."""
    logging.disable(logging.WARNING)
    if name == "fake-slack":
        async with serve_in_background(fake_slack(), port=port) as url:
            print("ready", url + "/api/", flush=True)
            await asyncio.Event().wait()
    with tempfile.TemporaryDirectory() as folder:
        if name == "minimal":
            app = minimal_bolt(slack_url)
        else:
            engine = database.create_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            await migrate.upgrade(engine)
            wethod = build_wethod_simulator(demo_company(people=500, projects=2000))
            wethod_url = await stack_enter(serve_in_background(wethod.app))
            env = wethod.settings_for(wethod_url) | {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack_url,
            }
            settings = Settings.model_validate({k.lower(): v for k, v in env.items()})
            container = build_container(settings, parse_policy(POLICY, Path("bench.yml")), engine=engine)
            for source in container.directory_sources:
                await refresh_directory(source, container.unit_of_work, container.clock)
            app = build_http_app(container)
            # Served as `staffdesk serve` serves it: its lifespan builds the project index and runs the
            # delivery and outbox loops, the scheduled jobs and the one HTTP session of its Web API calls.
            await stack_enter(app.router.lifespan_context(app))
        async with serve_in_background(app, port=port):
            print("ready", slack_url, flush=True)
            await asyncio.Event().wait()


_STACK: list[Any] = []


async def stack_enter(manager: Any) -> Any:
    """Keep a context manager open for the life of the process."""
    _STACK.append(manager)
    return await manager.__aenter__()


def start(name: str, slack_url: str = "-") -> tuple[subprocess.Popen[str], int, str]:
    port = free_port()
    process, (url,) = start_helper(__file__, "--serve", name, "--port", str(port), "--slack-url", slack_url)
    return process, port, url


async def cpu_and_timings(
    server: subprocess.Popen[str], url: str, make: Callable[[int], str], count: int, start: int
) -> tuple[float, list[float]]:
    """The server's CPU milliseconds for `count` requests sent by one client, with the work each leaves
    running after its answer, and the time to each answer."""
    before = await settled_cpu(server.pid)
    timings = await measure(url, make, count, 1, start=start)
    return (await settled_cpu(server.pid) - before) * 1000, timings


async def main(total: int, think: float, rounds: int) -> None:
    """Both apps run side by side; for each kind, rounds of one-client requests alternate between them
    (so a change in the machine's speed during the run touches both alike), then 50 clients."""
    slack, _, slack_url = start("fake-slack")
    apps = {name: start(name, slack_url) for name in ("staffdesk", "minimal")}
    load_before = machine_load()
    cpu: dict[tuple[str, str], list[float]] = {}
    timings: dict[tuple[str, str, int], list[float]] = {}
    per_round = total // rounds
    try:
        for kind, make in bodies(slack_url).items():
            for _, port, _ in apps.values():
                await measure(f"http://127.0.0.1:{port}", make, 20, 1, start=9_000)  # warm up
            for number in range(rounds):
                for name, (server, port, _) in apps.items():
                    spent, taken = await cpu_and_timings(
                        server, f"http://127.0.0.1:{port}", make, per_round, number * per_round
                    )
                    cpu.setdefault((name, kind), []).append(spent / per_round)
                    timings.setdefault((name, kind, 1), []).extend(taken)
            for name, (_, port, _) in apps.items():
                url = f"http://127.0.0.1:{port}"
                timings[(name, kind, 50)] = await measure(url, make, total, 50, think, start=total)
    finally:
        for server, _, _ in apps.values():
            stop_helper(server)
        stop_helper(slack)
    print(f"{load_before} before the run; {machine_load()} after it")
    print(
        f"{per_round * rounds} requests per kind and app from 1 client, {total} from 50 clients, who wait "
        f"{think:.2f} s on average between requests"
    )
    print(
        f"server CPU per request, with the work after the answer, over {rounds} alternating rounds "
        "(target: at most 1.2x the minimal app's):"
    )
    for kind in bodies(slack_url):
        ours, theirs = cpu[("staffdesk", kind)], cpu[("minimal", kind)]
        mean_ours, mean_theirs = sum(ours) / rounds, sum(theirs) / rounds
        by_round = sorted(a / b for a, b in zip(ours, theirs, strict=True))
        print(
            f"  {kind:<14} staffdesk {mean_ours:6.2f} ms   minimal {mean_theirs:6.2f} ms   "
            f"ratio {mean_ours / mean_theirs:5.2f} (rounds {by_round[0]:.2f} to {by_round[-1]:.2f})"
        )
    header = f"{'kind':<14} {'clients':>7} {'staffdesk p50':>14} {'p99':>8} {'minimal p50':>12} {'p99':>8}"
    print(f"{header} {'p99 ratio':>9}")
    for kind in bodies(slack_url):
        for concurrency in (1, 50):
            mine, base = timings[("staffdesk", kind, concurrency)], timings[("minimal", kind, concurrency)]
            p50, p99 = percentile(mine, 0.5), percentile(mine, 0.99)
            base50, base99 = percentile(base, 0.5), percentile(base, 0.99)
            print(
                f"{kind:<14} {concurrency:>7} {p50:>11.1f} ms {p99:>5.1f} ms "
                f"{base50:>9.1f} ms {base99:>5.1f} ms {p99 / base99:>9.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per kind, app and concurrency")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds of the one-client run")
    parser.add_argument(
        "--think", type=float, default=0.5, help="average pause of each of the 50 clients (s)"
    )
    parser.add_argument("--serve", choices=["staffdesk", "minimal", "fake-slack"], help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", default="-", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        asyncio.run(serve(arguments.serve, arguments.port, arguments.slack_url))
    else:
        asyncio.run(main(arguments.requests, arguments.think, arguments.rounds))
