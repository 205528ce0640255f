"""Through the real app over signed HTTP: a view submission Slack sends again makes no second request,
and a click on a request past `expire_after` changes nothing but its expiry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.notices import NoticeKind
from app.domain.requests import AllocationPayload, NewRequest
from app.domain.status import RequestStatus
from app.services.queries import get_request, requests_of
from app.slack.ids import Action
from tests.e2e.harness import CHANNEL, World, allocation_values, eventually, running_world, sign

MARTA, APOLLO = 13, 1000


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(engine, tmp_path) as running:
        yield running


async def test_the_same_signed_submission_three_times_makes_one_request_and_one_allocation(
    world: World,
) -> None:
    await world.command("/allocate", "", "U0MARTA")
    await eventually(lambda: bool(world.slack.called("views.open")))
    view = world.last_view()
    values = allocation_values("U0MARTA", "2026-12-14", None, "4")
    payload = {
        "type": "view_submission",
        "team": {"id": "T0ACME"},
        "api_app_id": "A0STAFF",
        "token": "legacy",
        "user": {"id": "U0MARTA"},
        "view": {**view, "id": "V0REPLAY", "hash": "1712.abc", "state": {"values": values}},
        "trigger_id": "trigger-submit",
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = sign(body)  # signed once, as Slack signed it; sent three times
    answers = await asyncio.gather(
        *(world.http.post("/slack/events", content=body, headers=headers) for _ in range(3))
    )
    assert [a.status_code for a in answers] == [200] * 3
    assert [a.json()["response_action"] for a in answers] == ["update"] * 3

    def notices() -> list[str]:
        return [
            json.dumps(v["view"])
            for v in world.slack.called("views.update")
            if v.get("view_id") == "V0REPLAY"
        ]

    await eventually(lambda: len(notices()) == 3)
    assert all("Sent to <@U0ANA> or <@U0IRENE> for approval" in n for n in notices())
    (request,) = await requests_of(world.container.unit_of_work, "U0MARTA")
    assert len([p for p in world.slack.called("chat.postMessage") if p["channel"] == CHANNEL]) == 1

    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    await eventually(lambda: any("Approved by" in t for t in world.slack.texts()))
    assert await world.deliver() == 1
    assert await world.deliver() == 0
    made = [a for a in world.sandbox.wethod.state.live_allocations() if a.person_id == MARTA]
    assert len(made) == 1


async def test_a_click_after_expire_after_is_refused_and_the_request_expires_then(world: World) -> None:
    asked_at = datetime.now(UTC) - timedelta(hours=72, minutes=1)  # the harness policy: expire_after 72h
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    new = NewRequest(
        payload=AllocationPayload(person_id=MARTA, project_id=APOLLO, dates=(day,), hours=3),
        requester_id="U0MARTA",
        channel_id=CHANNEL,
        approvers=("U0ANA",),
    )
    async with world.container.unit_of_work() as uow:
        request = await uow.requests.add(
            new, status=RequestStatus.PENDING_APPROVAL, actor="U0MARTA", now=asked_at
        )
        await uow.notices.add(request.id, NoticeKind.SUBMITTED, now=asked_at)
        await uow.commit()
    assert await world.container.notifier.send_for(request.id)

    await world.click(Action.APPROVE, json.dumps({"request_id": request.id}), "U0ANA")
    await eventually(lambda: bool(world.slack.responses))
    (answer,) = world.slack.responses
    assert answer["text"].startswith("This request waited 3 days without a decision and has expired")
    stored = await get_request(world.container.unit_of_work, request.id)
    assert (stored.status, stored.decided_by) == (RequestStatus.EXPIRED, None)
    assert await world.deliver() == 0
    assert [a for a in world.sandbox.wethod.state.live_allocations() if a.date == day] == []
    assert world.container.notifier.wake.is_set()  # the outbox loop is told at once; here, run it by hand
    await world.container.notifier.send_due()
    replies = [
        p["text"] for p in world.slack.called("chat.postMessage") if p.get("thread_ts") == stored.message_ts
    ]
    assert replies == [":zzz: Expired: nobody decided in time. Ask again if it is still needed."]
