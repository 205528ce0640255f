"""Approvals that do not stall: reminders once per period inside the hours, escalation once, delegates
while away, on a fake clock and across two replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import NotAllowed
from app.domain.notices import NoticeKind
from app.domain.status import RequestStatus
from app.services.absences import AbsenceRefused, absence_of, come_back, go_away
from app.services.approvals import approve_request, submit_request
from app.services.approvers import ApprovalContext
from app.services.nudges import nudge_waiting
from app.storage.tables import DirectoryProjectRow
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import BOREALIS, FakeSlackPeople, allocation, context, policy, seed_directory
from tests.conftest import FakeClock

UowFactory = Callable[[], SqlUnitOfWork]
FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


@pytest.fixture
async def world(uow_factory: UowFactory, clock: FakeClock) -> tuple[UowFactory, FakeClock]:
    await seed_directory(uow_factory, clock)
    return uow_factory, clock


def ctx_with(world: tuple[UowFactory, FakeClock], **approvals: object) -> ApprovalContext:
    uow_factory, clock = world
    return context(uow_factory, clock, FakeSlackPeople(), policy(**approvals))


async def notices(ctx: ApprovalContext, kind: NoticeKind) -> list[dict[str, object]]:
    async with ctx.uow_factory() as uow:
        return [n.detail for n in await uow.notices.unsent() if n.kind is kind]


async def actions(ctx: ApprovalContext, request_id: str) -> list[str]:
    async with ctx.uow_factory() as uow:
        return [e.action for e in await uow.requests.audit_trail(request_id)]


async def test_a_reminder_after_remind_after_once_per_period(world: tuple[UowFactory, FakeClock]) -> None:
    ctx = ctx_with(world, remind_after=timedelta(hours=2))
    clock = world[1]
    request = (await submit_request(ctx, allocation("U0MARTA"))).request  # Monday 09:00
    clock.advance(hours=1, minutes=59)
    assert await nudge_waiting(ctx) == 0
    clock.advance(minutes=1)
    assert await nudge_waiting(ctx) == 1
    assert await nudge_waiting(ctx) == 0  # the same period is not reminded twice
    clock.advance(hours=2)
    assert await nudge_waiting(ctx) == 1
    reminders = await notices(ctx, NoticeKind.REMINDED)
    assert [(r["number"], r["approvers"]) for r in reminders] == [
        (1, ["U0ANA", "U0IRENE"]),
        (2, ["U0ANA", "U0IRENE"]),
    ]
    assert (await actions(ctx, request.id)).count("reminded") == 2


async def test_no_reminder_at_night_or_on_saturday_and_one_on_monday_morning(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world, remind_after=timedelta(hours=4))
    clock = world[1]
    clock.now = FRIDAY_4PM
    await submit_request(ctx, allocation("U0MARTA", day=date(2026, 12, 7)))
    for at in (datetime(2026, 11, 27, 20, 0), datetime(2026, 11, 28, 11, 0), datetime(2026, 11, 30, 8, 59)):
        clock.now = at.replace(tzinfo=UTC)  # Friday night, Saturday, Monday before nine
        assert await nudge_waiting(ctx) == 0
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert await nudge_waiting(ctx) == 1
    clock.advance(minutes=1)
    assert await nudge_waiting(ctx) == 0
    (reminder,) = await notices(ctx, NoticeKind.REMINDED)
    assert reminder["number"] == 16  # the latest period, once: 65 h after Friday 16:00


async def test_always_reminds_at_any_hour(world: tuple[UowFactory, FakeClock]) -> None:
    ctx = ctx_with(world, remind_after=timedelta(hours=4), remind_between=None)
    clock = world[1]
    clock.now = FRIDAY_4PM
    await submit_request(ctx, allocation("U0MARTA", day=date(2026, 12, 7)))
    clock.now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday, 2 in the morning
    assert await nudge_waiting(ctx) == 1


async def test_two_replicas_remind_once(world: tuple[UowFactory, FakeClock]) -> None:
    one, other = (ctx_with(world, remind_after=timedelta(hours=1)) for _ in range(2))
    await submit_request(one, allocation("U0MARTA"))
    world[1].advance(hours=1)
    assert sorted(await asyncio.gather(nudge_waiting(one), nudge_waiting(other))) == [0, 1]
    assert len(await notices(one, NoticeKind.REMINDED)) == 1


async def test_escalation_asks_the_fallback_once_and_their_buttons_work(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world, remind_after=timedelta(hours=4), escalate_after=timedelta(hours=24))
    clock = world[1]
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    with pytest.raises(NotAllowed):
        await approve_request(ctx, request.id, "U0RITA")  # not asked yet
    clock.advance(hours=24)
    await nudge_waiting(ctx)
    await nudge_waiting(ctx)
    (added,) = await notices(ctx, NoticeKind.APPROVERS_ADDED)
    assert added == {"why": "escalated", "added": ["U0RITA"]}
    assert (await actions(ctx, request.id)).count("escalated") == 1
    approved = await approve_request(ctx, request.id, "U0RITA")
    assert approved.status is RequestStatus.APPROVED
    assert approved.approvers == ("U0ANA", "U0IRENE", "U0RITA")


async def test_a_delegate_who_may_decide_is_asked_instead_of_the_approver_away(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world)
    today = ctx.today()
    await go_away(ctx, "U0ANA", "U0RITA", today, today + timedelta(days=4))
    submitted = await submit_request(ctx, allocation("U0MARTA"))
    assert submitted.request.approvers == ("U0RITA", "U0IRENE")
    async with ctx.uow_factory() as uow:
        (entry,) = await uow.requests.audit_trail(submitted.request.id)
    assert entry.detail["in_place_of"] == {"U0ANA": "U0RITA"}


async def test_a_delegate_without_the_permission_is_skipped_for_the_fallback(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world)
    today = ctx.today()
    await go_away(ctx, "U0ANA", "U0BRUNO", today, today)  # Bruno runs another project: he may not
    submitted = await submit_request(ctx, allocation("U0MARTA"))
    assert "U0BRUNO" not in submitted.request.approvers
    assert submitted.request.approvers == ("U0IRENE", "U0RITA")


async def test_requests_already_waiting_are_offered_to_the_delegate(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world)
    waiting = (await submit_request(ctx, allocation("U0MARTA"))).request
    today = ctx.today()
    _, offered = await go_away(ctx, "U0ANA", "U0RITA", today, today + timedelta(days=1))
    assert offered == 1
    (added,) = await notices(ctx, NoticeKind.APPROVERS_ADDED)
    assert added == {"why": "delegated", "added": ["U0RITA"], "in_place_of": {"U0ANA": "U0RITA"}}
    assert "delegated" in await actions(ctx, waiting.id)
    assert (await approve_request(ctx, waiting.id, "U0RITA")).status is RequestStatus.APPROVED


async def test_an_absence_to_come_is_offered_once_it_begins(world: tuple[UowFactory, FakeClock]) -> None:
    ctx = ctx_with(world)
    clock = world[1]
    waiting = (await submit_request(ctx, allocation("U0MARTA"))).request
    tomorrow = ctx.today() + timedelta(days=1)
    assert (await go_away(ctx, "U0ANA", "U0RITA", tomorrow, tomorrow))[1] == 0
    assert await nudge_waiting(ctx) == 0
    clock.advance(days=1)
    assert await nudge_waiting(ctx) == 1
    assert await nudge_waiting(ctx) == 0
    async with ctx.uow_factory() as uow:
        assert (await uow.requests.get(waiting.id)).approvers == ("U0ANA", "U0IRENE", "U0RITA")


async def test_back_ends_the_absence_and_bad_absences_are_refused(
    world: tuple[UowFactory, FakeClock],
) -> None:
    ctx = ctx_with(world)
    today = ctx.today()
    with pytest.raises(AbsenceRefused, match="someone else"):
        await go_away(ctx, "U0ANA", "U0ANA", today, today)
    with pytest.raises(AbsenceRefused, match="comes before"):
        await go_away(ctx, "U0ANA", "U0RITA", today, today - timedelta(days=1))
    with pytest.raises(AbsenceRefused, match="over already"):
        await go_away(ctx, "U0ANA", "U0RITA", today - timedelta(days=3), today - timedelta(days=1))
    await go_away(ctx, "U0ANA", "U0RITA", today, today)
    assert (await absence_of(ctx, "U0ANA")) is not None
    ended = await come_back(ctx, "U0ANA")
    assert ended is not None
    assert ended.delegate_id == "U0RITA"
    assert await absence_of(ctx, "U0ANA") is None
    assert (await submit_request(ctx, allocation("U0MARTA"))).request.approvers == ("U0ANA", "U0IRENE")


async def test_a_request_that_cannot_be_escalated_holds_up_no_other(
    world: tuple[UowFactory, FakeClock], engine: AsyncEngine
) -> None:
    ctx = ctx_with(world, escalate_after=timedelta(hours=24))
    apollo = (await submit_request(ctx, allocation("U0MARTA"))).request
    borealis = (await submit_request(ctx, allocation("U0MARTA", project=BOREALIS))).request
    async with engine.begin() as conn:  # Borealis leaves the directory: its managers cannot be read
        await conn.execute(delete(DirectoryProjectRow).where(DirectoryProjectRow.upstream_id == BOREALIS))
    world[1].advance(hours=24)
    assert await nudge_waiting(ctx) == 1
    async with ctx.uow_factory() as uow:
        added = [n.request_id for n in await uow.notices.unsent() if n.kind is NoticeKind.APPROVERS_ADDED]
    assert added == [apollo.id]
    assert "escalated" not in await actions(ctx, borealis.id)
