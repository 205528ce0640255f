"""Benchmark: 50 Slack users at once for a minute against `staffdesk serve`, one process and two replicas.

Each client is a person asking for allocations, over and over: a slash command (/allocate), two option
loads (typing a project's name), a modal submission, then the Approve clicks waiting in the fake Slack
(every request asks its PM and its Account, and both click, so two clicks race for each request: across
replicas when there are two). Signed requests go over HTTP on loopback; the clients share the replicas in
turn, as a load balancer would. The fake Slack Web API, the Wethod simulator and each `staffdesk serve`
run in processes of their own. After the minute the last approvals are clicked and delivery is let finish;
then the allocations are read back through Wethod's API and counted.

Prints per setup: requests answered per second, p50/p99 ack per kind, errors (answers other than 200, the
5xx among them, and error messages posted to Slack), requests delivered, upstream duplicates (must be 0),
requests delivered per second from the first request until the follow-up work is done (every
request in a final state, every Slack message sent), and the CPU Staffdesk and PostgreSQL (every server
process on this machine) spent per request delivered over that time; then each setup beside the
first. The clients pause between steps, so they, not the app, set the answers per second; how fast the
whole work (answers, approvals, deliveries, Slack messages) gets done is what tells the setups apart.

    python bench/load.py [--seconds 60] [--clients 50] [--think 2] [--postgres postgresql://user@host/db]
                         [--only sqlite|postgres|replicas]

Without --postgres only one process on SQLite runs; with it, also one process and two replicas on
PostgreSQL, each in a fresh database created for the run and dropped after it. Each setup takes under
three minutes (--only runs one); the machine's load is printed before the run and after each setup.
With BENCH_LOGS set to a folder, each `staffdesk serve` writes its log there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from benchkit import (
    SECRET,
    TOKEN,
    cpu_seconds,
    cpu_since,
    free_port,
    machine_load,
    percentile,
    postgres_cpu,
    start_helper,
    stop_helper,
)
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.clients.wethod.client import WethodClient
from app.domain.requests import RequestKind
from app.sandbox.core import serve_in_background
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.wethod import build_wethod_simulator
from app.slack.ids import Action, Block, Callback
from app.slack.listeners.views import TOO_BUSY
from app.slack.metadata import ModalContext, dump_metadata, use_signing_key
from app.storage import database
from app.storage.tables import RequestRow, SlackNoticeRow

CHANNEL = "C0BENCH"
FIRST_DAY = date(2027, 1, 4)  # a Monday; each client's n-th request is for the n-th working day after it
POLICY = """
roles:
  project-manager: [planning.modify, pipeline.edit, people.add]
members:
  project-manager: ["wethod:Project Manager", "wethod:Account Manager"]
approvals:
  approvers: [pm, account]
  fallback: ["U00001"]
  auto_approve: true
  expire_after: 72h
"""
FINAL = {"delivered", "failed", "rejected", "expired", "cancelled"}
OWED = "messages owed"


def company() -> DemoCompany:
    return demo_company(people=120, projects=60)


def slack_id(person_id: int) -> str:
    return f"U{person_id:05d}"


# The fake Slack Web API, in a process of its own ---------------------------------------------------------


def fake_slack(people: DemoCompany) -> Starlette:
    """Answers every Web API call the app makes; keeps the Approve buttons it is asked to post (for the
    clients to click) and every error message posted."""
    emails = {slack_id(p.id): p.email for p in people.people}
    users = {email: user for user, email in emails.items()}
    approvals: list[dict[str, str]] = []
    errors: list[str] = []
    stamps = itertools.count(1)

    def buttons(blocks: Any) -> list[str]:
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return [
            element["value"]
            for block in blocks or []
            if block.get("type") == "actions"
            for element in block.get("elements", [])
            if element.get("action_id") == Action.APPROVE
        ]

    def note_errors(said: str) -> None:
        if "Something went wrong" in said or "reference" in said:
            errors.append(said)

    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        if request.headers.get("content-type", "").startswith("application/json"):
            params: dict[str, Any] = await request.json()
        else:
            params = dict(parse_qsl((await request.body()).decode())) | dict(request.query_params)
        answer: dict[str, Any] = {"ok": True}
        if method == "auth.test":  # where the token is installed: Staffdesk answers only that workspace
            answer |= {"team_id": "T0BENCH", "user_id": "U0BOT", "team": "Bench"}
        elif method == "users.info":
            user = str(params.get("user"))
            answer["user"] = {"id": user, "profile": {"email": emails.get(user, "")}}
        elif method == "users.lookupByEmail":
            found = users.get(str(params.get("email")))
            answer = (
                {"ok": True, "user": {"id": found}} if found else {"ok": False, "error": "users_not_found"}
            )
        elif method == "conversations.open":
            answer["channel"] = {"id": f"D{params.get('users')}"}
        elif method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            channel = str(params.get("channel", ""))
            note_errors(str(params.get("text", "")))
            if method == "chat.postMessage" and channel.startswith("D"):
                approvals.extend({"user": channel[1:], "value": v} for v in buttons(params.get("blocks")))
            answer |= {"channel": channel, "ts": f"1800000000.{next(stamps):06d}"}
        elif method.startswith("views."):
            view = params.get("view")
            answer["view"] = {
                "id": "V0BENCH",
                "hash": "h",
                **(json.loads(view) if isinstance(view, str) else view or {}),
            }
        return JSONResponse(answer)

    async def response_url(request: Request) -> Response:
        note_errors(str((await request.json()).get("text", "")))
        return Response("ok")

    async def take_approvals(request: Request) -> Response:
        count = int(request.query_params.get("count", "1000000"))
        taken = approvals[:count]
        del approvals[:count]
        return JSONResponse(taken)

    async def error_messages(_: Request) -> Response:
        return JSONResponse(errors)

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["GET", "POST"]),
            Route("/response/{x}", response_url, methods=["POST"]),
            Route("/_bench/approvals", take_approvals),
            Route("/_bench/errors", error_messages),
        ]
    )


async def serve_helper(name: str, port: int) -> None:
    logging.disable(logging.WARNING)
    if name == "slack":
        async with serve_in_background(fake_slack(company()), port=port) as url:
            print("ready", f"{url}/api/", flush=True)
            await asyncio.Event().wait()
    wethod = build_wethod_simulator(company())
    async with serve_in_background(wethod.app, port=port) as url:
        print("ready", *(f"{k}={v}" for k, v in wethod.settings_for(url).items()), flush=True)
        await asyncio.Event().wait()


# The clients ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    too_busy: int = 0  # submissions answered "too busy, press Submit again", which are not submitted
    refused_submissions: int = 0  # submissions answered with any other error


class Clients:
    """Signed Slack requests, spread over the replicas in turn."""

    def __init__(self, urls: list[str], slack_url: str, people: DemoCompany) -> None:
        self.urls = itertools.cycle(urls)
        self.slack_url = slack_url
        self.response_url = slack_url.removesuffix("api/") + "response/x"
        self.verifier = SignatureVerifier(SECRET)
        self.tally = Tally()
        self.projects = [p for p in people.projects if not p.archived]
        self.requesters = [p for p in people.people if p.role not in {"Project Manager", "Account Manager"}]
        # Connections idle for 2 s are not reused: uvicorn closes them after 5 s, and a request sent as
        # one closes would fail for a reason no Slack client meets (Slack does not keep connections).
        limits = httpx.Limits(max_connections=200, keepalive_expiry=2)
        self.http = httpx.AsyncClient(timeout=30, limits=limits)

    async def send(self, kind: str, fields: dict[str, str]) -> httpx.Response:
        body = urlencode(fields)
        stamp = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body) or "",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        began = time.perf_counter()
        try:
            answer = await self.http.post(f"{next(self.urls)}/slack/events", content=body, headers=headers)
        except httpx.TransportError as error:
            self.tally.failures[f"{kind} {type(error).__name__}"] += 1
            raise
        self.tally.timings[kind].append((time.perf_counter() - began) * 1000)
        self.tally.statuses[answer.status_code] += 1
        if answer.status_code != 200:
            self.tally.failures[f"{kind} {answer.status_code}"] += 1
        return answer

    async def interact(self, kind: str, payload: dict[str, Any]) -> httpx.Response:
        payload = {"team": {"id": "T0BENCH"}, "api_app_id": "A0BENCH", **payload}
        return await self.send(kind, {"payload": json.dumps(payload)})

    def view(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        use_signing_key(SECRET)  # the modal's private_metadata, signed as the app signs it
        meta = dump_metadata(ModalContext(kind=RequestKind.ALLOCATION, channel_id=CHANNEL))
        view: dict[str, Any] = {
            "id": f"V{uuid.uuid4().hex[:10].upper()}",
            "type": "modal",
            "callback_id": Callback.ALLOCATION,
            "private_metadata": meta,
            "hash": "h",
            "blocks": [],
        }
        return view | ({"state": {"values": values}} if values is not None else {})

    async def one_request(self, user: str, n: int, rng: random.Random) -> None:
        """What one person does to ask for one allocation: the n-th working day from FIRST_DAY."""
        await self.send(
            "slash command",
            {
                "command": "/allocate",
                "text": "",
                "user_id": user,
                "channel_id": CHANNEL,
                "team_id": "T0BENCH",
                "trigger_id": f"trigger-{uuid.uuid4().hex}",
                "response_url": self.response_url,
            },
        )
        project = self.projects[(n * 7 + int(user[1:])) % len(self.projects)]
        for typed in (project.name[:2], project.name[:4]):
            await self.interact(
                "option load",
                {
                    "type": "block_suggestion",
                    "user": {"id": user},
                    "action_id": Action.PROJECT,
                    "block_id": Block.PROJECT,
                    "value": typed,
                    "view": self.view(),
                },
            )
            await asyncio.sleep(rng.random() * 0.2)
        day = (FIRST_DAY + timedelta(weeks=n // 5, days=n % 5)).isoformat()
        picked = {"text": {"type": "plain_text", "text": project.name}, "value": str(project.id)}
        values: dict[str, Any] = {
            Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": user}},
            Block.PROJECT: {Action.PROJECT: {"type": "external_select", "selected_option": picked}},
            Block.START: {Action.START: {"type": "datepicker", "selected_date": day}},
            Block.END: {Action.END: {"type": "datepicker", "selected_date": None}},
            Block.HOURS: {Action.HOURS: {"type": "number_input", "value": "2"}},
        }
        answer = await self.interact(
            "submission",
            {"type": "view_submission", "user": {"id": user}, "view": self.view(values), "trigger_id": "t"},
        )
        if answer.status_code == 200 and answer.json().get("response_action") != "update":
            if TOO_BUSY in answer.json().get("errors", {}).values():
                self.tally.too_busy += 1
            else:
                self.tally.refused_submissions += 1
                print("a submission was refused:", answer.text[:300], file=sys.stderr)

    async def approve_waiting(self, count: int | None = None) -> int:
        """Click Approve on the buttons waiting in the fake Slack, as the approvers they were sent to."""
        query = "" if count is None else f"?count={count}"
        waiting = (
            await self.http.get(f"{self.slack_url.removesuffix('api/')}_bench/approvals{query}")
        ).json()
        for button in waiting:
            await self.interact(
                "approve click",
                {
                    "type": "block_actions",
                    "user": {"id": button["user"]},
                    "trigger_id": f"trigger-{uuid.uuid4().hex}",
                    "actions": [
                        {
                            "action_id": Action.APPROVE,
                            "block_id": "b",
                            "type": "button",
                            "value": button["value"],
                        }
                    ],
                    "container": {"type": "message", "channel_id": f"D{button['user']}", "message_ts": "1.1"},
                    "channel": {"id": f"D{button['user']}"},
                    "message": {"ts": "1.1"},
                    "response_url": self.response_url,
                },
            )
        return len(waiting)

    async def person(self, index: int, until: float, think: float) -> None:
        rng = random.Random(index)  # noqa: S311 (benchmark pacing)
        user = slack_id(self.requesters[index % len(self.requesters)].id)
        for n in itertools.count():
            if time.monotonic() >= until:
                return
            with contextlib.suppress(httpx.TransportError):  # counted as failures; the person goes on
                await self.one_request(user, n, rng)
                await asyncio.sleep(think * rng.random())
                await self.approve_waiting(count=2)
                await asyncio.sleep(think * rng.random())


# A setup: the servers, the run, the counts ---------------------------------------------------------------


@dataclass
class Setup:
    name: str
    database_url: str
    replicas: int


@contextlib.asynccontextmanager
async def fresh_postgres(admin_url: str) -> AsyncIterator[str]:
    name = f"staffdesk_load_{uuid.uuid4().hex[:8]}"
    admin = database.create_engine(admin_url)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = database.async_url(admin_url).set(database=name, drivername="postgresql")
        yield url.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


def log_of(port: int) -> contextlib.AbstractContextManager[Any]:
    """Where a replica's log goes: a file in BENCH_LOGS when it is set (the process keeps its own copy of
    the file once started), else nowhere."""
    logs = os.environ.get("BENCH_LOGS")
    if logs:
        return Path(logs, f"replica-{port}.log").open("w")
    return contextlib.nullcontext(asyncio.subprocess.DEVNULL)


async def start_replica(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    with log_of(port) as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "serve", "--port", str(port), cwd=cwd, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return process, url
            await asyncio.sleep(0.1)
    raise RuntimeError("staffdesk serve did not start")


async def statuses(database_url: str) -> Counter[str]:
    """Requests by status, and the Slack messages still owed (as "messages owed")."""
    engine = database.create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(RequestRow.status, func.count()).group_by(RequestRow.status))
            counts = Counter({str(status): int(count) for status, count in rows})
            notices = SlackNoticeRow
            owed = select(func.count()).where(notices.sent_at.is_(None), notices.given_up_at.is_(None))
            counts[OWED] = int((await conn.execute(owed)).scalar_one())
            return counts
    finally:
        await engine.dispose()


async def wait_for_directory(clients: Clients, urls: list[str]) -> None:
    """Each replica fills its directory from Wethod at start; wait until every one finds a project."""
    for url in urls:
        for _ in range(600):
            clients.urls = itertools.cycle([url])
            answer = await clients.interact(
                "warm-up",
                {
                    "type": "block_suggestion",
                    "user": {"id": slack_id(20)},
                    "action_id": Action.PROJECT,
                    "block_id": Block.PROJECT,
                    "value": clients.projects[0].name[:3],
                    "view": clients.view(),
                },
            )
            if answer.status_code == 200 and answer.json().get("options"):
                break
            await asyncio.sleep(0.2)
    clients.urls = itertools.cycle(urls)
    clients.tally = Tally()


async def upstream_duplicates(wethod_env: dict[str, str]) -> tuple[int, int]:
    """Allocations in Wethod from FIRST_DAY on, and how many of them repeat a (person, project, day)."""
    async with WethodClient(
        wethod_env["WETHOD_BASE_URL"], wethod_env["WETHOD_TOKEN"], wethod_env["WETHOD_COMPANY"]
    ) as wethod:
        allocations = await wethod.list_allocations(
            date=f"gt:{(FIRST_DAY - timedelta(days=1)).isoformat()}", pages_at_once=8
        )
    keys = Counter((a.person_id, a.project_id, a.date) for a in allocations)
    return len(allocations), sum(n - 1 for n in keys.values())


async def run_setup(setup: Setup, seconds: float, clients_count: int, think: float) -> dict[str, Any]:
    slack, (slack_url,) = start_helper(__file__, "--serve", "slack", "--port", str(free_port()))
    wethod, pairs = start_helper(__file__, "--serve", "wethod", "--port", str(free_port()))
    wethod_env = dict(pair.split("=", 1) for pair in pairs)
    replicas: list[asyncio.subprocess.Process] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "policy.yml").write_text(POLICY)
            prefixes = ("SLACK_", "WETHOD_", "MISSIONX_", "PROCORE_", "DATABASE_", "STAFFDESK_")
            env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | wethod_env
            env |= {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack_url,
                "DATABASE_URL": setup.database_url.replace("{folder}", folder),
            }
            urls = []
            for _ in range(setup.replicas):
                process, url = await start_replica(env, Path(folder))
                replicas.append(process)
                urls.append(url)
            clients = Clients(urls, slack_url, company())
            await wait_for_directory(clients, urls)

            pids = [process.pid for process in replicas]
            app_before = {pid: cpu_seconds(pid) for pid in pids}
            database_before = postgres_cpu()
            began = time.monotonic()
            until = began + seconds
            await asyncio.gather(*(clients.person(i, until, think) for i in range(clients_count)))
            elapsed = time.monotonic() - began

            # Let the follow-up work finish: the last approvals clicked, every request delivered, every
            # Slack message sent. Stop when that is done, or when nothing has moved for 30 s.
            counts = await statuses(env["DATABASE_URL"])
            drained_at = time.monotonic()
            still_since = time.monotonic()
            while time.monotonic() - still_since < 30:
                clicked = await clients.approve_waiting()
                before, counts = counts, await statuses(env["DATABASE_URL"])
                if not clicked and set(counts) <= FINAL | {OWED} and not counts[OWED]:
                    break
                if clicked or counts != before:
                    still_since = time.monotonic()
                await asyncio.sleep(0.5)
            drain = time.monotonic() - drained_at
            app_cpu = cpu_since(app_before, {pid: cpu_seconds(pid) for pid in pids})
            database_cpu = cpu_since(database_before, postgres_cpu())
            allocations, duplicates = await upstream_duplicates(wethod_env)
            error_messages = (await clients.http.get(f"{slack_url.removesuffix('api/')}_bench/errors")).json()
            await clients.http.aclose()
    finally:
        for process in replicas:
            process.terminate()
            await process.wait()
        stop_helper(slack)
        stop_helper(wethod)
    answered = sum(len(t) for t in clients.tally.timings.values())
    return {
        "setup": setup.name,
        "elapsed": elapsed,
        "drain": drain,
        "answered": answered,
        "timings": dict(clients.tally.timings),
        "statuses": clients.tally.statuses,
        "refused": clients.tally.refused_submissions,
        "too_busy": clients.tally.too_busy,
        "failures": clients.tally.failures,
        "error_messages": len(error_messages),
        "requests": counts,
        "allocations": allocations,
        "duplicates": duplicates,
        "app_cpu": app_cpu,
        "database_cpu": database_cpu,
    }


def report(result: dict[str, Any]) -> None:
    statuses_: Counter[int] = result["statuses"]
    not_ok = sum(n for status, n in statuses_.items() if status != 200)
    five_xx = sum(n for status, n in statuses_.items() if status >= 500)
    print(f"\n{result['setup']}")
    print(f"  {result['answered']} requests answered in {result['elapsed']:.0f} s: "
          f"{result['answered'] / result['elapsed']:.1f} per second")  # fmt: skip
    for kind, samples in result["timings"].items():
        print(f"  {kind:<14} {len(samples):>6}  p50 {percentile(samples, 0.5):7.1f} ms  "
              f"p99 {percentile(samples, 0.99):7.1f} ms")  # fmt: skip
    late = sum(1 for samples in result["timings"].values() for ms in samples if ms > 3000)
    print(f"  errors: {not_ok} answers other than 200 ({five_xx} 5xx), {late} answers after 3 s, "
          f"{result['refused']} submissions refused, {result['error_messages']} error messages posted "
          f"to Slack; {result['too_busy']} submissions answered 'too busy, send again'")  # fmt: skip
    if result["failures"]:
        failures = ", ".join(f"{what}: {n}" for what, n in result["failures"].items())
        print(f"  answers other than 200 by kind and status: {failures}")
    requests = ", ".join(f"{n} {status}" for status, n in sorted(result["requests"].items()) if n)
    print(
        f"  follow-up work (approvals, deliveries, Slack messages) done {result['drain']:.0f} s after the "
        "clients stopped"
    )
    print(f"  the work done {result['elapsed'] + result['drain']:.0f} s after the first request: "
          f"{delivered_per_second(result):.1f} requests delivered per second")  # fmt: skip
    app_ms, database_ms = cpu_per_request(result)
    print(f"  CPU for the whole work: Staffdesk {result['app_cpu']:.1f} s, PostgreSQL "
          f"{result['database_cpu']:.1f} s; per request delivered {app_ms + database_ms:.1f} ms "
          f"({app_ms:.1f} + {database_ms:.1f})")  # fmt: skip
    print(f"  requests: {requests}; allocations in Wethod: {result['allocations']}; "
          f"upstream duplicates: {result['duplicates']}")  # fmt: skip


def delivered_per_second(result: dict[str, Any]) -> float:
    """Requests delivered per second from the first request until the follow-up work was done: how fast a
    setup gets through the whole work, which the answers per second do not show (the clients' pauses set
    those). Setups that answer slower are asked less in the minute, so compare this beside the count."""
    return int(result["requests"].get("delivered", 0)) / (result["elapsed"] + result["drain"])


def cpu_per_request(result: dict[str, Any]) -> tuple[float, float]:
    """Milliseconds of CPU that Staffdesk (every replica) and PostgreSQL spent per request delivered, from
    the first request until the follow-up work was done: each request's whole story (slash command, option
    loads, submission, approvals, delivery, Slack messages), whatever the clients' pace."""
    delivered = max(int(result["requests"].get("delivered", 0)), 1)
    return result["app_cpu"] * 1000 / delivered, result["database_cpu"] * 1000 / delivered


def compare(results: list[dict[str, Any]]) -> None:
    """Each setup beside the first: answers per second, p50 of every answer, requests delivered per second,
    CPU per request."""
    first = results[0]

    def p50(result: dict[str, Any]) -> float:
        return percentile([ms for samples in result["timings"].values() for ms in samples], 0.5)

    print(f"\nbeside {first['setup']}:")
    for result in results[1:]:
        answers = (result["answered"] / result["elapsed"]) / (first["answered"] / first["elapsed"])
        latency = p50(result) / p50(first)
        delivered = delivered_per_second(result) / delivered_per_second(first)
        cpu = sum(cpu_per_request(result)) / sum(cpu_per_request(first))
        print(
            f"  {result['setup']:<24} answers per second {answers:.2f}x, p50 {latency:.2f}x, "
            f"requests delivered per second {delivered:.2f}x, CPU per request {cpu:.2f}x"
        )


SETUPS = {"sqlite": ("1 process, SQLite", 1), "postgres": ("1 process, PostgreSQL", 1)}
SETUPS["replicas"] = ("2 replicas, PostgreSQL", 2)


async def main(
    seconds: float, clients_count: int, think: float, postgres: str | None, only: str | None
) -> None:
    chosen = [only] if only else ["sqlite", "postgres", "replicas"] if postgres else ["sqlite"]
    if not postgres and any(name != "sqlite" for name in chosen):
        raise SystemExit("--postgres is needed for the PostgreSQL setups")
    pause = f"pausing {think / 2:.2f} s on average between steps"
    print(f"{clients_count} clients for {seconds:.0f} s each, {pause}; {machine_load()} before the run")
    results = []
    for key in chosen:
        name, replicas = SETUPS[key]
        if key == "sqlite":
            results.append(
                await run_setup(
                    Setup(name, "sqlite:///{folder}/staffdesk.db", 1), seconds, clients_count, think
                )
            )
        else:
            assert postgres is not None
            async with fresh_postgres(postgres) as url:
                results.append(await run_setup(Setup(name, url, replicas), seconds, clients_count, think))
        report(results[-1])
        print(f"  {machine_load()} after this setup")
    bad = [r["setup"] for r in results if r["duplicates"] or any(s >= 500 for s in r["statuses"])]
    if bad:
        print(f"\nFAILED: duplicates or 5xx in {', '.join(bad)}")
        raise SystemExit(1)
    if len(results) > 1:
        compare(results)
    print(f"\n{machine_load()} after the run")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the clients run (s)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--think", type=float, default=2.0, help="longest pause between a client's steps (s)")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose user may create databases")
    parser.add_argument(
        "--only", choices=sorted(SETUPS), help="run one setup (each takes under three minutes)"
    )
    parser.add_argument("--serve", choices=["slack", "wethod"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        asyncio.run(serve_helper(arguments.serve, arguments.port))
    else:
        asyncio.run(
            main(arguments.seconds, arguments.clients, arguments.think, arguments.postgres, arguments.only)
        )
