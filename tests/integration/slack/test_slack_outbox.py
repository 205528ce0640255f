"""The Slack outbox against a fake Slack over HTTP: in order per request, each message once, retried
while Slack fails, given up only on a message Slack refuses as it stands."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from app.domain.notices import NoticeKind
from app.domain.status import RequestStatus
from app.services.notices import NoticeLedger, NoticePolicy
from app.slack.outbox import SlackOutbox
from app.slack.poster import SlackPoster
from app.slack.web_client import build_web_client
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.factories import allocation, stored
from tests.fake_slack import FakeSlack, serve_fake_slack

TOKEN = "xoxb-1111111111-2222222222-FakeSlackTestToken"
POLICY = NoticePolicy(permanent_tries=3)
UowFactory = Callable[[], SqlUnitOfWork]


@dataclass
class Outboxes:
    fake: FakeSlack
    url: str
    uow_factory: UowFactory
    clock: FakeClock

    def new(self, worker: str) -> SlackOutbox:
        ledger = NoticeLedger(self.uow_factory, worker_id=worker, clock=self.clock, policy=POLICY)
        return SlackOutbox(SlackPoster(build_web_client(TOKEN, self.url)), ledger, self.uow_factory)


@pytest.fixture
async def outboxes(uow_factory: UowFactory, clock: FakeClock) -> AsyncIterator[Outboxes]:
    fake = FakeSlack()
    async with serve_fake_slack(fake) as url:
        yield Outboxes(fake, url, uow_factory, clock)


async def pending_with(
    uow_factory: UowFactory, clock: FakeClock, *kinds: NoticeKind, approvers: int = 1
) -> str:
    new = allocation().model_copy(update={"approvers": tuple(f"U0PM{i:05d}" for i in range(approvers))})
    request = await stored(uow_factory, clock.now, new)
    async with uow_factory() as uow:
        for kind in kinds:
            detail = {"status": RequestStatus.PENDING_APPROVAL.value} if kind is NoticeKind.DECIDED else {}
            await uow.notices.add(request.id, kind, now=clock.now, detail=detail)
        await uow.commit()
    return request.id


async def unsent(uow_factory: UowFactory) -> list[tuple[str, NoticeKind]]:
    async with uow_factory() as uow:
        return [(n.request_id, n.kind) for n in await uow.notices.unsent()]


async def test_a_decision_waits_for_the_message_it_replies_to_and_both_go_once_slack_is_back(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock
) -> None:
    request_id = await pending_with(uow_factory, clock, NoticeKind.SUBMITTED, NoticeKind.DECIDED)
    outbox = outboxes.new("w1")
    outboxes.fake.down = {"chat.postMessage"}
    assert await outbox.send_due() == 1  # only the first notice of the request may go
    assert outboxes.fake.taken("chat.postMessage") == []
    assert await unsent(uow_factory) == [(request_id, NoticeKind.SUBMITTED), (request_id, NoticeKind.DECIDED)]

    outboxes.fake.down = set()
    assert await outbox.send_due() == 0  # not before its backoff
    clock.advance(seconds=POLICY.first_backoff.total_seconds())
    assert await outbox.send_due() == 1
    assert await outbox.send_due() == 1  # the decision, once the message it replies to is there
    posts = outboxes.fake.taken("chat.postMessage")
    assert [p["channel"] for p in posts] == ["C0CHANNEL1", "D0PM00000", "C0CHANNEL1"]
    assert posts[2]["thread_ts"] == "1700000001.000100"  # the request's message, posted first
    assert await unsent(uow_factory) == []


async def test_what_was_posted_before_a_failure_is_not_posted_again(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await pending_with(uow_factory, clock, NoticeKind.SUBMITTED, approvers=2)
    fake = outboxes.fake
    fake.answers["conversations.open"] = lambda params: (
        {"ok": False, "error": "internal_error"}
        if params["users"] == "U0PM00001"
        else {"ok": True, "channel": {"id": "D" + params["users"][1:]}}
    )
    outbox = outboxes.new("w1")
    await outbox.send_due()
    assert [p["channel"] for p in fake.taken("chat.postMessage")] == ["C0CHANNEL1", "D0PM00000"]
    del fake.answers["conversations.open"]
    clock.advance(minutes=1)
    await outbox.send_due()
    assert [p["channel"] for p in fake.taken("chat.postMessage")] == ["C0CHANNEL1", "D0PM00000", "D0PM00001"]
    assert await unsent(uow_factory) == []


async def test_two_workers_sending_at_once_post_each_message_once(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock
) -> None:
    for _ in range(8):
        await pending_with(uow_factory, clock, NoticeKind.SUBMITTED, NoticeKind.DECIDED)
    workers = [outboxes.new(f"w{i}") for i in range(2)]
    while any(await asyncio.gather(*(w.send_due() for w in workers))):
        pass
    posts = outboxes.fake.taken("chat.postMessage")
    assert len([p for p in posts if "thread_ts" not in p and p["channel"] == "C0CHANNEL1"]) == 8
    assert len([p for p in posts if p["channel"].startswith("D")]) == 8
    assert len([p for p in posts if "thread_ts" in p]) == 8
    assert await unsent(uow_factory) == []


async def test_a_notice_held_by_a_worker_that_stopped_beating_is_taken_over(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await pending_with(uow_factory, clock, NoticeKind.SUBMITTED)
    dead = NoticeLedger(uow_factory, worker_id="dead", clock=clock, policy=POLICY)
    assert len(await dead.claim()) == 1  # and the process dies before sending
    rescuer = outboxes.new("rescuer")
    clock.advance(seconds=POLICY.stale_after.total_seconds() - 1)
    assert await rescuer.send_due() == 0
    clock.advance(seconds=2)  # its lease runs for a minute, but it has not beaten for too long
    assert await rescuer.send_due() == 1
    assert len(outboxes.fake.taken("chat.postMessage")) == 2


async def test_a_message_slack_refuses_as_it_stands_is_given_up_and_the_next_one_goes(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = await pending_with(uow_factory, clock, NoticeKind.SUBMITTED, NoticeKind.DECIDED)
    outboxes.fake.answers["chat.update"] = lambda _: {"ok": False, "error": "invalid_blocks"}
    outbox = outboxes.new("w1")
    await outbox.send_due()  # the message and the question are posted
    for _ in range(POLICY.permanent_tries):
        clock.advance(minutes=5)
        await outbox.send_due()  # the decision's update is refused each time
    assert await unsent(uow_factory) == []
    assert "gave up on Slack notice" in caplog.text
    assert request_id in caplog.text
    del outboxes.fake.answers["chat.update"]
    async with uow_factory() as uow:
        await uow.notices.add(request_id, NoticeKind.DECIDED, now=clock.now, detail={"status": "approved"})
        await uow.commit()
    with caplog.at_level(logging.INFO):
        assert await outbox.send_due() == 1
    assert await unsent(uow_factory) == []


async def test_while_slack_fails_the_wait_between_tries_grows_to_a_bound(
    outboxes: Outboxes, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await pending_with(uow_factory, clock, NoticeKind.SUBMITTED)
    outboxes.fake.answers["chat.postMessage"] = lambda _: {"ok": False, "error": "internal_error"}
    outbox = outboxes.new("w1")
    assert await outbox.send_due() == 1
    waits = []
    for _ in range(6):
        waited = 0
        while await outbox.send_due() == 0:  # each claim is one more try, failed again
            clock.advance(seconds=1)
            waited += 1
            assert waited <= POLICY.max_backoff.total_seconds()
        waits.append(waited)
    assert waits == [2, 4, 8, 16, 30, 30]
    assert await unsent(uow_factory) != []
