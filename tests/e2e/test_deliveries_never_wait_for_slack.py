"""The served app delivers approved requests while every Slack send it may make at once is stuck: the
delivery loop leaves a delivery's messages to the outbox loop, and never waits for a turn to send behind a
burst of listeners' sends. Once Slack answers, every message goes, each once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.notices import NoticeKind
from app.domain.requests import AllocationPayload, NewRequest
from app.domain.status import RequestStatus
from app.policy.file import parse_policy
from app.services.notices import NoticePolicy
from app.slack.outbox import SENDING_AT_ONCE
from app.wiring import Container, build_container, build_http_app
from tests.e2e.harness import CHANNEL, POLICY, SLACK_USERS, eventually, settled
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

SECRET = "e2e0signing0secret000000000000000"
MARTA, APOLLO = 13, 1000


async def stored(container: Container, status: RequestStatus, days_ahead: int) -> str:
    """Marta's allocation, 3 h in `days_ahead` days, stored as `status` with its message owed to the
    channel, as a submission leaves it (approved at once when the requester may act alone)."""
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).date()
    payload = AllocationPayload(person_id=MARTA, project_id=APOLLO, dates=(day,), hours=3)
    new = NewRequest(payload=payload, requester_id="U0MARTA", channel_id=CHANNEL, approvers=("U0ANA",))
    async with container.unit_of_work() as uow:
        now = datetime.now(UTC)
        request = await uow.requests.add(new, status=status, actor="U0MARTA", now=now)
        await uow.notices.add(request.id, NoticeKind.SUBMITTED, now=now)
        await uow.commit()
    return request.id


async def status_of(container: Container, request_id: str) -> RequestStatus:
    async with container.unit_of_work() as uow:
        return (await uow.requests.get(request_id)).status


async def test_deliveries_go_on_while_every_slack_send_waits_and_each_message_goes_once_after(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        settings = sandbox.settings(
            SLACK_BOT_TOKEN="xoxb-1111111111-2222222222-FakeSlackTestToken",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack_url,
        )
        container = build_container(settings, parse_policy(POLICY, tmp_path / "policy.yml"), engine=engine)
        container.slack_client.timeout = 120  # the held calls are answered late, not lost
        app = build_http_app(container)
        async with app.router.lifespan_context(app):
            fake.held = {"chat.postMessage"}
            sends: list[asyncio.Task[bool]] = []
            try:
                # A burst of submissions, each listener sending its request's message: every turn is taken
                # by a send Slack does not answer, and more wait (more than the outbox loop claims at once,
                # so that this holds whichever of them the loop takes first).
                submitted = [
                    await stored(container, RequestStatus.PENDING_APPROVAL, 30 + n)
                    for n in range(NoticePolicy().batch_size + SENDING_AT_ONCE + 1)
                ]
                sends = [asyncio.create_task(container.notifier.send_for(r)) for r in submitted]
                await eventually(lambda: fake.holding == SENDING_AT_ONCE and container.notifier.waiting >= 1)

                delivered = []
                for days_ahead in (90, 91):  # one after the other: the second needs a later pass of the loop
                    request_id = await stored(container, RequestStatus.APPROVED, days_ahead)
                    delivered.append(request_id)
                    assert (
                        await settled(
                            lambda: status_of(container, request_id),  # noqa: B023 (awaited in this pass)
                            lambda s: s is RequestStatus.DELIVERED,
                            seconds=15,
                        )
                        is RequestStatus.DELIVERED
                    )
                assert fake.holding == SENDING_AT_ONCE  # Slack answered nothing all the while
                assert fake.taken("chat.postMessage") == []
            finally:
                fake.let_go()
                went = await asyncio.gather(*sends, return_exceptions=True)
            assert went == [True] * len(submitted)

            async def owed() -> int:
                async with container.unit_of_work() as uow:
                    return len(await uow.notices.unsent())

            assert await settled(owed, lambda n: n == 0, seconds=20) == 0

    posts = fake.taken("chat.postMessage")
    channel_posts = [p for p in posts if p["channel"] == CHANNEL and not p.get("thread_ts")]
    assert len(channel_posts) == len(submitted) + len(delivered)  # each request's message, once
    done = [p for p in posts if p.get("thread_ts") and p["text"].startswith(":tada: Done")]
    assert len(done) == len(delivered)  # each delivery told in its thread, once
