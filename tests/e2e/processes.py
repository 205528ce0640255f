"""Real `staffdesk serve` processes for the fault and scale suites: their environment, start and stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.notices import NoticeKind
from app.domain.requests import AllocationPayload, NewRequest, RequestPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import BOT_TOKEN, CHANNEL, SIGNING_SECRET, settled, sign

ROOT = Path(__file__).resolve().parents[2]
STAFFDESK_PREFIXES = ("SLACK_", "WETHOD_", "MISSIONX_", "PROCORE_", "DATABASE_", "STAFFDESK_")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(upstreams: dict[str, str], slack_url: str, database_url: str, **values: str) -> dict[str, str]:
    """This process's environment without Staffdesk settings, plus the sandbox's, a test database and
    `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(STAFFDESK_PREFIXES)}
    return (
        env
        | upstreams
        | {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_url,
            "DATABASE_URL": database_url,
        }
        | values
    )


async def start_serve(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`staffdesk serve` on a free port, once its /healthz answers; the process and its base URL."""
    if not (cwd / "policy.yml").exists():
        (cwd / "policy.yml").write_text((ROOT / "policy.example.yml").read_text())
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "serve",
        "--port",
        str(port),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{url}/healthz", timeout=1)).status_code == 200
        except httpx.TransportError:
            return False

    for _ in range(300):
        if await healthy():
            return process, url
        await asyncio.sleep(0.1)
    process.kill()
    await process.wait()
    raise AssertionError("staffdesk serve did not start")


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    await process.wait()


async def click_approve(url: str, request_id: str, user: str, response_url: str) -> int:
    """`user` clicks Approve on the request's question in their DMs; the status code of the answer."""
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0ACME"},
        "trigger_id": "t",
        "actions": [
            {
                "action_id": "staffdesk_approve",
                "block_id": "b",
                "type": "button",
                "value": json.dumps({"request_id": request_id}),
            }
        ],
        "container": {"type": "message"},
        "channel": {"id": "D0ANA"},
        "response_url": response_url,
    }
    body = urlencode({"payload": json.dumps(payload)})
    async with httpx.AsyncClient() as http:
        return (
            await http.post(f"{url}/slack/events", content=body, headers=sign(body), timeout=30)
        ).status_code


async def add_approved(
    uow: SqlUnitOfWork, payload: RequestPayload, requester: str = "U0GIULIA"
) -> StaffingRequest:
    """A request stored as approved, as if its approval had just been given: the worker's next job."""
    return await uow.requests.add(
        NewRequest(payload=payload, requester_id=requester),
        status=RequestStatus.APPROVED,
        actor=requester,
        now=datetime.now(UTC),
    )


async def ask_ana(
    sessions: async_sessionmaker[AsyncSession], *, person: int, project: int, asked_at: datetime
) -> StaffingRequest:
    """Marta's request for `person`, 3 h on `project` in 30 days, waiting for Ana since `asked_at`, with its
    Slack notice owed, as a submission leaves it."""
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    payload = AllocationPayload(person_id=person, project_id=project, dates=(day,), hours=3)
    new = NewRequest(payload=payload, requester_id="U0MARTA", channel_id=CHANNEL, approvers=("U0ANA",))
    async with SqlUnitOfWork(sessions) as uow:
        request = await uow.requests.add(
            new, status=RequestStatus.PENDING_APPROVAL, actor="U0MARTA", now=asked_at
        )
        await uow.notices.add(request.id, NoticeKind.SUBMITTED, now=asked_at)
        await uow.commit()
    return request


async def directory_filled(
    sessions: async_sessionmaker[AsyncSession], project: int, emails: list[str]
) -> None:
    """Wait for the servers' first directory refresh to hold `project` and the Wethod people of `emails`:
    before that, pickers and approvers do not know them."""

    async def read() -> bool:
        async with SqlUnitOfWork(sessions) as uow:
            known = await uow.directory.get_project(Upstream.WETHOD, str(project)) is not None
            for email in emails:
                known = known and await uow.directory.person_by_email(Upstream.WETHOD, email) is not None
        return known

    if not await settled(read, bool, seconds=30):
        raise AssertionError("the directory was not refreshed")
