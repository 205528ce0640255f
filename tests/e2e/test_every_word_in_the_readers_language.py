"""Every word a person reads comes from the catalog, through the running app: with Italian set for the
channel (STAFFDESK_LANGUAGE) and for every Slack user, and the Italian catalog wrapped in markers (a pseudo
locale), a whole story is told: help, App Home, the allocation form, a mistake, the approval, the delivery,
an undo, a rejection and the daily summary. Whatever a person reads outside the markers must be data (a
name, a project, what someone typed) or a Slack token; English left anywhere fails the test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.status import RequestStatus
from app.i18n import catalogs
from app.services.queries import get_request, requests_of
from app.services.summary_runs import post_summary
from app.slack.ids import Action, Block, Callback
from tests.e2e.harness import (
    CHANNEL,
    SLACK_USERS,
    World,
    allocation_values,
    eventually,
    running_world,
    settled,
)
from tests.pseudo_locale import Pseudo, untranslated

REQUESTER, APPROVER = "U0MARTA", "U0ANA"
MON, FRI = date(2026, 12, 14), date(2026, 12, 18)
NOTE = "Serve per il lancio"
REASON = "Marta è già piena quella settimana"


@pytest.fixture
async def world(engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.setitem(catalogs.TRANSLATORS, "it", Pseudo(catalogs.TRANSLATORS["it"]))
    async with running_world(engine, tmp_path, env={"STAFFDESK_LANGUAGE": "it"}) as running:
        for user in SLACK_USERS:
            running.slack.locales[user] = "it-IT"
        yield running


def data_of(world: World) -> list[str]:
    """What the app is given rather than says: people, projects and their codes, and what people typed."""
    company = world.sandbox.wethod.state.company
    people = [w for p in company.people for w in (p.first_name, p.last_name, p.email, p.job_title, p.role)]
    projects = [w for p in company.projects for w in (p.name, p.job_order)]
    return [*people, *projects, NOTE, REASON, "Staffdesk", "Wethod", "MissionX", "Procore"]


def everything_shown(world: World, acks: list[dict[str, Any]]) -> list[Any]:
    """Every message, update, view and answer the app sent to Slack, and the answers to its requests."""
    methods = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update")
    sent: list[Any] = [c for m in methods for c in world.slack.called(m)]
    sent += [c["view"] for c in world.slack.called("views.publish")]
    return [*sent, *world.slack.responses, *acks]


def ref(request_id: str) -> str:
    return json.dumps({"request_id": request_id})


async def ask(world: World, acks: list[dict[str, Any]], text: str, hours: str = "4") -> str:
    """`/allocate text` as the requester, the form sent with a note; the new request's id."""
    before = {r.id for r in await requests_of(world.container.unit_of_work, REQUESTER)}
    opened, updated = len(world.slack.called("views.open")), len(world.slack.called("views.update"))
    await world.command("/allocate", text, REQUESTER)
    await eventually(lambda: len(world.slack.called("views.open")) > opened)
    if text:  # the form is filled in from the command after it opens
        await eventually(lambda: len(world.slack.called("views.update")) > updated)
    form = world.last_view("views.update" if text else "views.open")
    values = allocation_values(REQUESTER, MON.isoformat(), FRI.isoformat(), hours)
    values[Block.NOTE] = {Action.NOTE: {"type": "plain_text_input", "value": NOTE}}
    acks.append((await world.submit(form, values, REQUESTER)).json())

    async def new() -> set[str]:
        return {r.id for r in await requests_of(world.container.unit_of_work, REQUESTER)} - before

    (request_id,) = await settled(new, bool, seconds=10)
    await world.tell_slack(request_id)
    return request_id


async def test_an_italian_workspace_reads_nothing_but_the_catalog(world: World) -> None:
    acks: list[dict[str, Any]] = []
    for text in ("help", "mine", "pending", "away"):
        await world.command("/staffing", text, REQUESTER)
    await eventually(lambda: len(world.slack.responses) >= 4)

    first = await ask(world, acks, "<@U0MARTA|marta> apollo next week 4h")
    await world.click(Action.APPROVE, ref(first), REQUESTER)  # her own request: refused, in words
    await world.click(Action.APPROVE, ref(first), APPROVER)
    await world.reaches(first, RequestStatus.APPROVED)
    await world.tell_slack(first)
    assert await world.deliver() == 1
    request = await get_request(world.container.unit_of_work, first)
    assert request.status is RequestStatus.DELIVERED, request.result

    await world.click(Action.UNDO, ref(first), REQUESTER)

    async def undos() -> list[str]:
        return [r.id for r in await requests_of(world.container.unit_of_work, REQUESTER) if r.amends]

    (undo,) = await settled(undos, bool, seconds=10)
    await world.tell_slack(undo)
    second = await ask(world, acks, "", hours="2")
    await world.click(Action.REJECT, ref(second), APPROVER)
    await eventually(
        lambda: any(c["view"].get("callback_id") == Callback.REJECT for c in world.slack.called("views.open"))
    )
    reject_form = world.last_view()
    reason = {Block.REASON: {Action.REASON: {"type": "plain_text_input", "value": REASON}}}
    assert (await world.submit(reject_form, reason, APPROVER)).status_code == 200
    await world.reaches(second, RequestStatus.REJECTED)
    await world.tell_slack(second)

    await post_summary(world.container.summaries, world.container.summary_poster, MON, CHANNEL)

    shown = everything_shown(world, acks)
    assert len(shown) > 20
    left = sorted({text for thing in shown for text in untranslated(thing, data_of(world))})
    assert left == [], "\n".join(left)
