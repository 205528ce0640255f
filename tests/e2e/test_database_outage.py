"""The database goes away for a moment while `staffdesk serve` runs: what users send meanwhile is kept in
their modal, nothing is lost, and the delivery worker resumes on its own when the database is back."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.domain.errors import StorageUnavailable
from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.slack.ids import Block
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import ON_POSTGRES
from tests.e2e.harness import SLACK_USERS, SlackSender, allocation_values, eventually, settled
from tests.e2e.processes import add_approved, directory_filled, free_port, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the outage cuts a network connection; SQLite is a file inside the process"
)

DAY = date(2026, 12, 9)
MARTA, APOLLO = 13, 1000


class Outage:
    """A TCP relay in front of the database that can drop every connection and refuse new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._open |= {writer, up_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._open -= {writer, up_writer}

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)

    async def down(self) -> None:
        """Stop listening (new connections are refused) and drop every open connection."""
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        await self._server.wait_closed()
        self._server = None


async def test_a_database_outage_loses_nothing_and_the_worker_resumes(
    fresh_database_url: str, tmp_path: Path
) -> None:
    direct = make_url(fresh_database_url)
    outage = Outage(direct.host or "127.0.0.1", direct.port or 5432)
    await outage.up()
    relayed = direct.set(port=outage.port).render_as_string(hide_password=False)
    slack = FakeSlack(users=dict(SLACK_USERS))
    engine = database.create_engine(fresh_database_url)
    sessions = database.session_factory(engine)
    async with running_sandbox() as sandbox, serve_fake_slack(slack) as slack_url:
        server, url = await start_serve(serve_env(sandbox.env, slack_url, relayed), tmp_path)
        try:
            await directory_filled(sessions, APOLLO, [SLACK_USERS["U0MARTA"]])
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                sender = SlackSender(http, slack_url)
                await sender.command("/allocate", "", "U0GIULIA")
                await eventually(lambda: bool(slack.called("views.open")), seconds=10)
                form = dict(slack.called("views.open")[-1]["view"])
                values = allocation_values("U0MARTA", "2026-12-14", None, "3")

                await outage.down()
                payload = AllocationPayload(person_id=MARTA, project_id=APOLLO, dates=(DAY,), hours=5)
                async with SqlUnitOfWork(sessions) as uow:  # approved while the server cannot see it
                    approved = await add_approved(uow, payload)
                    await uow.commit()
                health_while_down = (await http.get("/healthz")).status_code
                during = await sender.submit(form, values, "U0GIULIA")

                await outage.up()

                async def status() -> RequestStatus:
                    async with SqlUnitOfWork(sessions) as uow:
                        return (await uow.requests.get(approved.id)).status

                async def mine() -> list[StaffingRequest]:
                    async with SqlUnitOfWork(sessions) as uow:
                        return await uow.requests.requested_by("U0GIULIA")

                final = await settled(status, lambda s: s is RequestStatus.DELIVERED, seconds=60)
                health_after = (await http.get("/healthz")).status_code
                after = await sender.submit(form, values, "U0GIULIA")
                saved = await settled(mine, lambda found: len(found) == 2, seconds=60)
        finally:
            await stop(server)
            await outage.down()
            await engine.dispose()
    assert health_while_down == 503
    assert during.status_code == 200
    assert during.json() == {
        "response_action": "errors",
        "errors": {Block.PERSON: str(StorageUnavailable())},
    }
    assert final is RequestStatus.DELIVERED
    allocations = sandbox.wethod.state.live_allocations()
    assert [(a.person_id, a.date) for a in allocations].count((MARTA, DAY)) == 1
    assert health_after == 200
    assert after.status_code == 200
    assert after.json()["response_action"] == "update", after.json()
    assert sorted(r.payload.kind for r in saved) == ["allocation", "allocation"]  # the resent form is saved
