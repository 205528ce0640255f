"""The whole app served over HTTP on loopback: signed Slack payloads in, a fake Slack Web API and the
sandbox upstreams behind it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import httpx
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.status import RequestStatus
from app.policy.file import parse_policy
from app.sandbox.core import serve_in_background
from app.services.directory import refresh_directory
from app.slack.ids import Action, Block
from app.wiring import Container, build_container, build_http_app
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import Sandbox, running_sandbox

T = TypeVar("T")

SIGNING_SECRET = "e2e0signing0secret0abcdef01234567"
BOT_TOKEN = "xoxb-3333333333-4444444444-EndToEndBotTokenValue"
CHANNEL = "C0STAFFING"
OPERATORS = "C0OPERATORS"

POLICY = """
roles:
  resource-manager: [planning.modify, planning.modify_other, planning.modify_past,
                     pipeline.edit, pipeline.edit_other, people.add, people.add_other]
  project-manager: [planning.modify, pipeline.edit, people.add]
members:
  resource-manager: [U0GIULIA, "olga.ops@acme.example"]
  project-manager: ["wethod:Project Manager", "wethod:Account Manager"]
approvals:
  approvers: [pm, account]
  fallback: [U0GIULIA]
  auto_approve: true
  expire_after: 72h
"""

# Slack users of the demo company (app/sandbox/demo.py): PMs Ana and Bruno, Account Irene,
# Resource Manager Giulia, developer Marta; and Olga from operations, who is in none of the upstreams.
SLACK_USERS = {
    "U0ANA": "ana.rossi@acme.example",
    "U0BRUNO": "bruno.colombo@acme.example",
    "U0IRENE": "irene.moretti@acme.example",
    "U0GIULIA": "giulia.romano@acme.example",
    "U0MARTA": "marta.gallo@acme.example",
    "U0OLGA": "olga.ops@acme.example",  # operations: a resource manager with no upstream account
}


def option(value: str) -> dict[str, Any]:
    """A picked option, as a modal's state reports it."""
    return {
        "type": "external_select",
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def allocation_values(
    user: str, start: str, end: str | None, hours: str, project: str = "1000"
) -> dict[str, Any]:
    """The allocation modal's state as Slack submits it."""
    return {
        Block.PERSON: {Action.PERSON: {"type": "users_select", "selected_user": user}},
        Block.PROJECT: {Action.PROJECT: option(project)},
        Block.START: {Action.START: {"type": "datepicker", "selected_date": start}},
        Block.END: {Action.END: {"type": "datepicker", "selected_date": end}},
        Block.HOURS: {Action.HOURS: {"type": "number_input", "value": hours}},
    }


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


@dataclass
class SlackSender:
    """Signed requests as Slack sends them, to the app at `http`'s base URL."""

    http: httpx.AsyncClient
    slack_url: str

    async def command(self, command: str, text: str, user: str, channel: str = CHANNEL) -> httpx.Response:
        body = urlencode(
            {
                "command": command,
                "text": text,
                "user_id": user,
                "channel_id": channel,
                "team_id": "T0ACME",
                "trigger_id": f"trigger-{time.monotonic_ns()}",
                "response_url": f"{self.slack_url.removesuffix('api/')}response/cmd",
            }
        )
        return await self.http.post("/slack/events", content=body, headers=sign(body))

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        payload = {"team": {"id": "T0ACME"}, "api_app_id": "A0STAFF", "token": "legacy", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return await self.http.post("/slack/events", content=body, headers=sign(body))

    async def click(
        self, action_id: str, value: str, user: str, *, in_view: dict[str, Any] | None = None
    ) -> httpx.Response:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button"}],
        }
        if in_view is None:
            payload |= {
                "container": {"type": "message", "channel_id": "D0DM", "message_ts": "1.1"},
                "channel": {"id": "D0DM"},
                "message": {"ts": "1.1"},
                "response_url": f"{self.slack_url.removesuffix('api/')}response/click",
            }
        else:
            payload |= {"container": {"type": "view", "view_id": in_view["id"]}, "view": in_view}
        return await self.interact(payload)

    async def submit(self, view: dict[str, Any], values: dict[str, Any], user: str) -> httpx.Response:
        submitted = {**view, "id": view.get("id", "V0VIEW"), "hash": "h1", "state": {"values": values}}
        return await self.interact(
            {
                "type": "view_submission",
                "user": {"id": user},
                "view": submitted,
                "trigger_id": "trigger-submit",
            }
        )


@dataclass
class World(SlackSender):
    slack: FakeSlack
    sandbox: Sandbox
    container: Container

    async def deliver(self) -> int:
        """One pass of the delivery loop, telling Slack what came of each attempt."""
        reports = await self.container.worker.run_once()
        for report in reports:
            await self.tell_slack(report.request_id)
        return len(reports)

    async def reaches(self, request_id: str, status: RequestStatus) -> None:
        """Wait until the request is stored as `status`: a click or a submission is answered before the
        app stores what it decided."""

        async def stored() -> RequestStatus:
            async with self.container.unit_of_work() as uow:
                return (await uow.requests.get(request_id)).status

        assert await settled(stored, lambda found: found is status, seconds=10) is status

    async def tell_slack(self, request_id: str) -> None:
        """What the outbox loop does for a request: send its notices, including those another sender
        held a moment ago, until none is owed."""

        async def owed() -> int:
            await self.container.notifier.send_for(request_id)
            async with self.container.unit_of_work() as uow:
                return len(await uow.notices.unsent(request_id))

        assert await settled(owed, lambda n: n == 0, seconds=10) == 0

    async def project_options(self, value: str, private_metadata: str) -> list[dict[str, Any]]:
        """What the project picker of a modal with this metadata offers for what was typed."""
        answer = await self.interact(
            {
                "type": "block_suggestion",
                "user": {"id": "U0MARTA"},
                "action_id": Action.PROJECT,
                "block_id": Block.PROJECT,
                "value": value,
                "view": {"id": "V1", "private_metadata": private_metadata},
            }
        )
        assert answer.status_code == 200
        return list(answer.json()["options"])

    def last_view(self, method: str = "views.open") -> dict[str, Any]:
        views = [c for c in self.slack.called(method)]
        return dict(views[-1]["view"])


async def settled(read: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, seconds: float) -> T:
    """Read until `done(value)` holds or `seconds` pass; returns the last value read, for the test to
    assert on (a process under test finishes its work in its own time)."""
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if done(value) or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.1)


async def eventually(check: Callable[[], bool], *, seconds: float = 10.0) -> None:
    """Wait until `check()` holds: the app finishes work after it has answered Slack."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the expected outcome did not happen in time")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running_world(
    engine: AsyncEngine,
    tmp_path: Path,
    disabled: tuple[str, ...] = (),
    monotonic: Callable[[], float] | None = None,
    policy: str = POLICY,
    clock: Callable[[], datetime] | None = None,
    env: dict[str, str] | None = None,
) -> AsyncIterator[World]:
    """The app with every upstream on, except those whose variables start with a prefix in `disabled`;
    `monotonic` stands in for the clock that times the answers to Slack."""
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        sandbox.env = {k: v for k, v in sandbox.env.items() if not k.startswith(disabled or ("\0",))}
        settings = sandbox.settings(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack_url,
            STAFFDESK_SUMMARY_CHANNEL=CHANNEL,
            STAFFDESK_OPERATORS=OPERATORS,
            **(env or {}),
        )
        container = build_container(
            settings,
            parse_policy(policy, tmp_path / "policy.yml"),
            engine=engine,
            **({"clock": clock} if clock else {}),
        )
        for source in container.directory_sources:
            await refresh_directory(source, container.unit_of_work, container.clock)
        await container.directory_index.catch_up()  # as the served app does when it starts
        if monotonic is not None:
            container.slack_deps = replace(container.slack_deps, monotonic=monotonic)
        app = build_http_app(container)
        # One Web API session, as the served app's lifespan gives it: closing it closes every connection,
        # even one of a Slack call still running after the test, which would otherwise be left to the GC.
        timeout = aiohttp.ClientTimeout(total=container.slack_client.timeout)
        slack_http = aiohttp.ClientSession(timeout=timeout)
        container.slack_client.session = slack_http
        try:
            async with serve_in_background(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
                yield World(http=http, slack_url=slack_url, slack=fake, sandbox=sandbox, container=container)
        finally:
            await container.upstreams.aclose()
            await slack_http.close()
