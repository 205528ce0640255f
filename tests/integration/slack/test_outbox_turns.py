"""The Slack outbox sends at most `sending_at_once` requests' notices at a time in a process, so that the
work that follows acks leaves the event loop to acks; the others wait their turn and are sent after, each
once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from app.domain.notices import NoticeKind
from app.domain.requests import StaffingRequest
from app.services.notices import NoticeLedger, NoticePolicy
from app.slack.blocks.common import SlackMessage
from app.slack.outbox import SlackOutbox
from app.slack.poster import SlackPoster
from app.slack.web_client import build_web_client
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.e2e.harness import eventually
from tests.factories import allocation, stored
from tests.fake_slack import FakeSlack, serve_fake_slack

TOKEN = "xoxb-1111111111-2222222222-FakeSlackTestToken"
UowFactory = Callable[[], SqlUnitOfWork]


class HeldPoster(SlackPoster):
    """Holds each request's message until `go` is set, counting the sends inside it."""

    def __init__(self, url: str) -> None:
        super().__init__(build_web_client(TOKEN, url))
        self.go = asyncio.Event()
        self.inside = 0
        self.most_inside = 0

    async def post_request_message(self, request: StaffingRequest, message: SlackMessage) -> tuple[str, str]:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            await self.go.wait()
            return await super().post_request_message(request, message)
        finally:
            self.inside -= 1


@pytest.fixture
async def slack_url() -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    async with serve_fake_slack(fake) as url:
        yield fake, url


async def submitted(uow_factory: UowFactory, clock: FakeClock) -> str:
    request = await stored(uow_factory, clock.now, allocation())
    async with uow_factory() as uow:
        await uow.notices.add(request.id, NoticeKind.SUBMITTED, now=clock.now)
        await uow.commit()
    return request.id


async def test_sends_beyond_the_limit_wait_their_turn_and_every_notice_goes_once(
    slack_url: tuple[FakeSlack, str], uow_factory: UowFactory, clock: FakeClock
) -> None:
    fake, url = slack_url
    request_ids = [await submitted(uow_factory, clock) for _ in range(5)]
    poster = HeldPoster(url)
    ledger = NoticeLedger(uow_factory, worker_id="w1", clock=clock, policy=NoticePolicy())
    outbox = SlackOutbox(poster, ledger, uow_factory, sending_at_once=2)

    sends = [asyncio.create_task(outbox.send_for(request_id)) for request_id in request_ids]
    sends.append(asyncio.create_task(outbox.send_due()))
    await eventually(lambda: poster.inside == 2 and outbox.waiting == 4)
    assert poster.inside == 2  # the two sends in progress hold the others back

    poster.go.set()
    assert all(await asyncio.gather(*sends[:-1]))
    await sends[-1]
    assert poster.most_inside == 2
    channel_posts = [p for p in fake.taken("chat.postMessage") if not p["channel"].startswith("D")]
    assert len(channel_posts) == 5  # each request's message once
    async with uow_factory() as uow:
        assert await uow.notices.unsent() == []


async def test_a_send_that_fails_gives_its_turn_to_the_next(
    slack_url: tuple[FakeSlack, str], uow_factory: UowFactory, clock: FakeClock
) -> None:
    fake, url = slack_url
    first, second = await submitted(uow_factory, clock), await submitted(uow_factory, clock)
    ledger = NoticeLedger(uow_factory, worker_id="w1", clock=clock, policy=NoticePolicy())
    outbox = SlackOutbox(SlackPoster(build_web_client(TOKEN, url)), ledger, uow_factory, sending_at_once=1)
    fake.down = {"chat.postMessage"}
    assert not await outbox.send_for(first)  # left for the outbox loop to retry
    fake.down = set()
    assert await outbox.send_for(second)
    assert outbox.waiting == 0


@pytest.mark.parametrize("slack_up", [True, False])
async def test_a_send_for_notices_the_loop_took_first_says_how_they_went(
    slack_url: tuple[FakeSlack, str], uow_factory: UowFactory, clock: FakeClock, slack_up: bool
) -> None:
    fake, url = slack_url
    request_id = await submitted(uow_factory, clock)
    poster = HeldPoster(url)
    ledger = NoticeLedger(uow_factory, worker_id="w1", clock=clock, policy=NoticePolicy())
    outbox = SlackOutbox(poster, ledger, uow_factory)
    if not slack_up:
        fake.down = {"chat.postMessage"}
    loop_send = asyncio.create_task(outbox.send_due())
    await eventually(lambda: poster.inside == 1)  # the loop holds the request's notice
    click_send = asyncio.create_task(outbox.send_for(request_id))
    await eventually(lambda: outbox.waiting == 0 and not click_send.done() and poster.inside == 1)
    poster.go.set()
    assert await click_send is slack_up
    assert await loop_send == 1
    async with uow_factory() as uow:
        assert len(await uow.notices.unsent(request_id)) == (0 if slack_up else 1)
