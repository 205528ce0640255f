"""A real `staffdesk serve` whose Slack stops taking messages during an approval: the decision holds,
the approver hears it, and once Slack is back every message is there exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.status import RequestStatus
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import CHANNEL, SLACK_USERS, eventually, settled
from tests.e2e.processes import ask_ana, click_approve, directory_filled, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

MARTA, APOLLO = 13, 1000
OUTAGE_SECONDS = 60  # Slack answers 500 for a whole minute


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        element.get("action_id", "")
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


async def test_messages_owed_during_a_slack_outage_are_sent_once_slack_is_back(
    fresh_database_url: str, tmp_path: Path
) -> None:
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        server, url = await start_serve(serve_env(sandbox.env, slack_url, fresh_database_url), tmp_path)
        try:
            await directory_filled(sessions, APOLLO, [SLACK_USERS["U0ANA"]])
            request = await ask_ana(sessions, person=MARTA, project=APOLLO, asked_at=datetime.now(UTC))
            await eventually(lambda: len(fake.taken("chat.postMessage")) == 2, seconds=20)
            channel_post, question = fake.taken("chat.postMessage")

            fake.down = {"chat.postMessage", "chat.update"}
            outage_began = asyncio.get_running_loop().time()
            response_url = f"{slack_url.removesuffix('api/')}response/click"
            assert await click_approve(url, request.id, "U0ANA", response_url) == 200

            async def state() -> RequestStatus:
                async with SqlUnitOfWork(sessions) as uow:
                    return (await uow.requests.get(request.id)).status

            assert await settled(state, lambda s: s is RequestStatus.DELIVERED, seconds=30) is (
                RequestStatus.DELIVERED
            )
            await eventually(lambda: bool(fake.responses), seconds=20)
            assert fake.taken("chat.postMessage") == [channel_post, question]  # nothing got through
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (asyncio.get_running_loop().time() - outage_began)))
            fake.down = set()

            async def owed() -> int:
                async with SqlUnitOfWork(sessions) as uow:
                    return len(await uow.notices.unsent(request.id))

            assert await settled(owed, lambda n: n == 0, seconds=60) == 0
            async with SqlUnitOfWork(sessions) as uow:
                thread = (await uow.requests.get(request.id)).message_ts
        finally:
            await stop(server)
            await engine.dispose()

    assert channel_post["channel"] == CHANNEL
    replies = [p for p in fake.taken("chat.postMessage") if p.get("thread_ts")]
    assert [r["text"].split(".")[0] for r in replies] == [
        ":white_check_mark: Approved by <@U0ANA>",
        ":tada: Done: Allocated 3 h a day for 1 day in Wethod",
    ]
    assert {(r["channel"], r["thread_ts"]) for r in replies} == {(CHANNEL, thread)}
    dms = [p["text"].split("\n")[0] for p in fake.taken("chat.postMessage") if p["channel"] == "D0MARTA"]
    assert dms[0] == ":white_check_mark: <@U0ANA> approved your request. Staffdesk is sending it now."
    assert dms[1].startswith(":tada: Done: Allocated ")
    assert len(dms) == 2
    # the message, the question, two replies and two DMs to the requester: none twice
    assert len(fake.taken("chat.postMessage")) == 6
    dm_updates = [u for u in fake.taken("chat.update") if u["channel"] == question["channel"]]
    assert dm_updates, "the approver's question was never updated"
    assert buttons(dm_updates[-1]) == []  # the question reads as decided: no Approve / Reject left
    assert buttons(question) == ["staffdesk_approve", "staffdesk_approve_changes", "staffdesk_reject"]
    said = [r.get("text", "") for r in fake.responses]
    assert said
    assert said[0].startswith("Approved: this is saved.")
    assert not any("Something went wrong" in text for text in said + fake.texts())
