"""Two `staffdesk serve` replicas on one database: approvals clicked on both deliver each request once,
and only one of them posts the daily summary."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.domain.requests import AllocationPayload, NewRequest
from app.domain.status import RequestStatus
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import CHANNEL, SLACK_USERS, settled
from tests.e2e.processes import click_approve, directory_filled, serve_env, start_serve
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

MARTA, APOLLO = 13, 1000


def a_weekday_zone() -> str:
    """A time zone where it is a working day now, so that a 00:00 summary is due at once."""
    for offset in range(0, 15):
        for sign_ in ("-", "+"):
            zone = f"Etc/GMT{sign_}{offset}"
            if datetime.now(ZoneInfo(zone)).weekday() < 5:
                return zone
    raise AssertionError("no time zone is on a working day")


async def test_two_replicas_deliver_each_approved_request_once_and_post_one_summary(
    fresh_database_url: str, tmp_path: Path
) -> None:
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        env = serve_env(sandbox.env, slack_url, fresh_database_url) | {
            "STAFFDESK_SUMMARY_CHANNEL": CHANNEL,
            "STAFFDESK_SUMMARY_TIME": "00:00",
            "STAFFDESK_TIMEZONE": a_weekday_zone(),
        }
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        replicas = [await start_serve(env, tmp_path) for _ in range(2)]
        try:
            # the approver must be known before she clicks
            await directory_filled(sessions, APOLLO, [SLACK_USERS["U0ANA"]])
            day = (datetime.now(UTC) + timedelta(days=40)).date()
            ids = []
            async with SqlUnitOfWork(sessions) as uow:
                for index in range(6):
                    payload = AllocationPayload(
                        person_id=MARTA, project_id=APOLLO, dates=(day + timedelta(days=index),), hours=3
                    )
                    new = NewRequest(payload=payload, requester_id="U0MARTA", approvers=("U0ANA",))
                    ids.append(
                        (
                            await uow.requests.add(
                                new,
                                status=RequestStatus.PENDING_APPROVAL,
                                actor="U0MARTA",
                                now=datetime.now(UTC),
                            )
                        ).id
                    )
                await uow.commit()
            response_url = f"{slack_url.removesuffix('api/')}response/replica"
            answers = await asyncio.gather(
                *(
                    click_approve(url, request_id, "U0ANA", response_url)
                    for request_id in ids
                    for _, url in replicas
                    for _ in range(2)
                )
            )
            assert set(answers) == {200}

            async def read() -> tuple[list[RequestStatus], list[int]]:
                async with SqlUnitOfWork(sessions) as uow:
                    states = [(await uow.requests.get(i)).status for i in ids]
                    approvals = [
                        len([e for e in await uow.requests.audit_trail(i) if e.action == "approved"])
                        for i in ids
                    ]
                return states, approvals

            states, approvals = await settled(
                read, lambda found: all(s is RequestStatus.DELIVERED for s in found[0]), seconds=60
            )
        finally:
            for process, _ in replicas:
                process.send_signal(signal.SIGTERM)
                await process.wait()
            await engine.dispose()
    assert states == [RequestStatus.DELIVERED] * 6
    assert approvals == [1] * 6
    made = sorted(a.date for a in sandbox.wethod.state.live_allocations() if a.person_id == MARTA)
    assert made == [day + timedelta(days=i) for i in range(6)]
    summaries = [
        p for p in fake.called("chat.postMessage") if p["channel"] == CHANNEL and "thread_ts" not in p
    ]
    assert len(summaries) == 1
    assert summaries[0]["text"].startswith("Staffing on")
