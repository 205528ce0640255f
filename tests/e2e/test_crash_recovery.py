"""`staffdesk serve` killed while it delivers, and started again: the request reaches Wethod once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from app.domain.requests import AllocationPayload, NewRequest
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.storage import database
from app.storage.tables import RequestRow
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, eventually
from tests.e2e.test_command_line import ROOT, free_port
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

DAY = date(2026, 12, 9)
PERSON, PROJECT = 13, 1000


def serve_env(upstreams: dict[str, str], slack_url: str, database_url: str) -> dict[str, str]:
    """This process's environment without Staffdesk settings, plus the sandbox's and a test database."""
    prefixes = ("SLACK_", "WETHOD_", "MISSIONX_", "PROCORE_", "DATABASE_", "STAFFDESK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return (
        env
        | upstreams
        | {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_url,
            "DATABASE_URL": database_url,
        }
    )


async def start_serve(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
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
    raise AssertionError("staffdesk serve did not start")


async def test_a_process_killed_mid_delivery_is_replaced_and_the_request_is_delivered_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "policy.yml").write_text((ROOT / "policy.example.yml").read_text())
    async with running_sandbox() as sandbox, serve_fake_slack(FakeSlack()) as slack_url:
        env = serve_env(sandbox.env, slack_url, fresh_database_url)
        first, _ = await start_serve(env, tmp_path)
        # Wethod commits the allocation, then its answer is held back: the worker is mid-delivery.
        sandbox.wethod.control.faults.append(Fault(after_commit=True, delay_seconds=60, method="POST"))
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        payload = AllocationPayload(person_id=PERSON, project_id=PROJECT, dates=(DAY,), hours=5)
        async with SqlUnitOfWork(sessions) as uow:
            request = await uow.requests.add(
                NewRequest(payload=payload, requester_id="U0GIULIA"),
                status=RequestStatus.APPROVED,
                actor="U0GIULIA",
                now=datetime.now(UTC),
            )
            await uow.commit()

        def made() -> int:
            return len(
                [
                    a
                    for a in sandbox.wethod.state.live_allocations()
                    if a.person_id == PERSON and a.date == DAY
                ]
            )

        await eventually(lambda: made() == 1, seconds=30)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        sandbox.wethod.control.faults.clear()
        async with SqlUnitOfWork(sessions) as uow:
            assert (await uow.requests.get(request.id)).status is RequestStatus.DELIVERING
        async with engine.begin() as conn:  # the dead worker's lease runs out
            await conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request.id)
                .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        second, _ = await start_serve(env, tmp_path)
        try:
            for _ in range(300):
                async with SqlUnitOfWork(sessions) as uow:
                    stored = await uow.requests.get(request.id)
                if stored.status is RequestStatus.DELIVERED:
                    break
                await asyncio.sleep(0.1)
            async with SqlUnitOfWork(sessions) as uow:
                trail = [e.action for e in await uow.requests.audit_trail(request.id)]
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
            await engine.dispose()
    assert stored.status is RequestStatus.DELIVERED
    assert made() == 1
    assert trail == ["submitted", "claimed", "reclaimed", "already_done"]


async def test_upstream_trouble_on_every_create_still_delivers_each_request_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "policy.yml").write_text((ROOT / "policy.example.yml").read_text())
    async with running_sandbox() as sandbox, serve_fake_slack(FakeSlack()) as slack_url:
        env = serve_env(sandbox.env, slack_url, fresh_database_url)
        sandbox.wethod.control.faults.extend(
            [
                Fault(status=503, count=2, method="POST", retry_after=1),  # surely not applied: sent again
                Fault(status=429, method="POST", retry_after=1),
                Fault(status=502, after_commit=True, method="POST"),  # applied, answer lost: looked up first
                Fault(status=504, after_commit=True, method="POST"),
            ]
        )
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        server, _ = await start_serve(env, tmp_path)
        try:
            days = [DAY + timedelta(days=i) for i in range(3)]
            async with SqlUnitOfWork(sessions) as uow:
                for day in days:
                    payload = AllocationPayload(person_id=PERSON, project_id=PROJECT, dates=(day,), hours=2)
                    await uow.requests.add(
                        NewRequest(payload=payload, requester_id="U0GIULIA"),
                        status=RequestStatus.APPROVED,
                        actor="U0GIULIA",
                        now=datetime.now(UTC),
                    )
                await uow.commit()

            async def all_delivered() -> bool:
                async with SqlUnitOfWork(sessions) as uow:
                    mine = await uow.requests.requested_by("U0GIULIA")
                return len(mine) == 3 and all(r.status is RequestStatus.DELIVERED for r in mine)

            for _ in range(300):
                if await all_delivered():
                    break
                await asyncio.sleep(0.1)
            assert await all_delivered()
        finally:
            server.send_signal(signal.SIGTERM)
            await server.wait()
            await engine.dispose()
    made = sorted(a.date for a in sandbox.wethod.state.live_allocations() if a.person_id == PERSON)
    assert made == days
    assert sandbox.wethod.control.faults == []  # every injected fault was met
