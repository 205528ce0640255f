"""Random sequences of submit / approve / reject / cancel / expire by random actors keep the guarantees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.domain.errors import StaffdeskError
from app.domain.requests import StaffingRequest
from app.domain.status import FINAL_STATUSES, RequestStatus
from app.domain.upstreams import Upstream
from app.policy.rules import may_act_alone, may_approve, required_permissions
from app.services.approvals import (
    approve_request,
    cancel_request,
    expire_requests,
    reject_request,
    submit_request,
)
from app.services.approvers import ApprovalContext, project_facts, project_id_of
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import (
    APOLLO,
    BOREALIS,
    PEOPLE,
    FakeSlackPeople,
    allocation,
    context,
    policy,
    seed_directory,
    whitelist,
)
from tests.conftest import FakeClock

ACTORS = sorted(PEOPLE)
REQUESTERS = ["U0MARTA", "U0ANA", "U0BRUNO", "U0NOBODY"]
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Submit:
    actor: str
    kind: str
    project: str
    day_offset: int


@dataclass(frozen=True)
class Decide:
    verb: str
    actor: str
    index: int
    reason: str = ""


@dataclass(frozen=True)
class Wait:
    hours: int


steps = st.lists(
    st.one_of(
        st.builds(
            Submit,
            st.sampled_from(ACTORS),
            st.sampled_from(["allocation", "whitelist"]),
            st.sampled_from([APOLLO, BOREALIS]),
            st.integers(-3, 5),
        ),
        st.builds(
            Decide,
            st.sampled_from(["approve", "reject", "cancel"]),
            st.sampled_from(ACTORS),
            st.integers(0, 9),
            st.sampled_from(["", "  ", "not this month"]),
        ),
        st.builds(Wait, st.integers(1, 40)),
    ),
    min_size=1,
    max_size=25,
)


async def run(ctx: ApprovalContext, clock: FakeClock, plan: list[Submit | Decide | Wait]) -> list[str]:
    ids: list[str] = []
    for step in plan:
        try:
            if isinstance(step, Submit):
                day = (clock.now + timedelta(days=step.day_offset)).date()
                new = (
                    allocation(step.actor, step.project, day)
                    if step.kind == "allocation"
                    else whitelist(step.actor, step.project)
                )
                ids.append((await submit_request(ctx, new)).request.id)
            elif isinstance(step, Decide) and ids:
                request_id = ids[step.index % len(ids)]
                if step.verb == "approve":
                    await approve_request(ctx, request_id, step.actor)
                elif step.verb == "reject":
                    await reject_request(ctx, request_id, step.actor, step.reason)
                else:
                    await cancel_request(ctx, request_id, step.actor)
            elif isinstance(step, Wait):
                clock.advance(hours=step.hours)
                await expire_requests(ctx)
        except StaffdeskError:
            continue  # refusals are expected; the checks below show they changed nothing they should not
    return ids


async def check(ctx: ApprovalContext, request: StaffingRequest) -> None:
    async with ctx.uow_factory() as uow:
        trail = await uow.requests.audit_trail(request.id)
    approvals = [e for e in trail if e.to_status is RequestStatus.APPROVED]
    assert len(approvals) <= 1, "approved twice"
    finals = [i for i, e in enumerate(trail) if e.to_status in FINAL_STATUSES]
    assert not finals or finals[0] == len(trail) - 1, "left a final state"
    if not approvals:
        return
    approval = approvals[0]
    upstream = Upstream.WETHOD
    actor = await ctx.identities.actor(approval.actor, upstream)
    _, facts = await project_facts(ctx, upstream, project_id_of(request.payload))
    today = approval.at.astimezone(ctx.timezone).date()
    if approval.action == "submitted":
        needed = required_permissions(request.payload, actor.upstream_person_id, facts, today)
        assert may_act_alone(ctx.policy, actor, needed), "auto-approved without the permissions"
    else:
        assert approval.actor in request.approvers
        assert may_approve(ctx.policy, actor, request.requester_id, request.payload, facts, today), (
            "approved without the permissions"
        )


@example(plan=[Submit("U0MARTA", "allocation", APOLLO, 1), Wait(24), Decide("approve", "U0ANA", 0)])
@example(
    plan=[
        Submit("U0MARTA", "whitelist", APOLLO, 0),
        Decide("approve", "U0ANA", 0),
        Decide("approve", "U0IRENE", 0),
    ]
)
@example(
    plan=[
        Submit("U0MARTA", "allocation", APOLLO, 0),
        Wait(30),
        Wait(30),
        Wait(30),
        Decide("approve", "U0RITA", 0),
    ]
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
async def test_no_request_is_approved_without_permission_twice_or_after_a_final_state(
    uow_factory: Callable[[], SqlUnitOfWork], plan: list[Submit | Decide | Wait]
) -> None:
    clock = FakeClock(START)
    await seed_directory(uow_factory, clock)
    ctx = context(uow_factory, clock, FakeSlackPeople(), policy())
    for request_id in await run(ctx, clock, plan):
        async with uow_factory() as uow:
            request = await uow.requests.get(request_id)
        await check(ctx, request)
