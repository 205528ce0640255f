"""Submitting, approving, rejecting, cancelling and expiring requests, with every actor checked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.errors import (
    NoApprover,
    NotAllowed,
    NoUpstreamPerson,
    ReasonRequired,
    RequestExpired,
    RequestMovedOn,
    SlackUser,
    UnknownProject,
)
from app.domain.notices import NoticeKind
from app.domain.requests import MissionXProjectPersonPayload, NewRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.policy.model import Member, MemberKind
from app.services.approvals import (
    approve_request,
    cancel_request,
    expire_requests,
    reject_request,
    submit_request,
)
from app.services.approvers import ApprovalContext
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import (
    ARCHIVE,
    BOREALIS,
    MX_PROJECT,
    FakeSlackPeople,
    allocation,
    context,
    policy,
    seed_directory,
    whitelist,
)
from tests.conftest import FakeClock

UowFactory = Callable[[], SqlUnitOfWork]
S = RequestStatus


@pytest.fixture
async def slack() -> FakeSlackPeople:
    return FakeSlackPeople()


@pytest.fixture
async def ctx(uow_factory: UowFactory, clock: FakeClock, slack: FakeSlackPeople) -> ApprovalContext:
    await seed_directory(uow_factory, clock)
    return context(uow_factory, clock, slack, policy())


async def audit(ctx: ApprovalContext, request_id: str) -> list[tuple[str, str]]:
    async with ctx.uow_factory() as uow:
        return [(e.actor, e.action) for e in await uow.requests.audit_trail(request_id)]


async def test_a_pm_allocating_on_their_own_project_is_approved_at_once(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    submitted = await submit_request(ctx, allocation("U0ANA"))
    assert submitted.auto_approved
    assert submitted.request.status is S.APPROVED
    assert submitted.request.next_attempt_at == clock.now  # the outbox delivers it
    assert submitted.request.decided_by == "U0ANA"


async def test_a_request_beyond_the_requesters_rights_waits_for_the_pm_and_account(
    ctx: ApprovalContext,
) -> None:
    submitted = await submit_request(ctx, allocation("U0MARTA"))
    assert not submitted.auto_approved
    assert submitted.request.status is S.PENDING_APPROVAL
    assert submitted.request.approvers == ("U0ANA", "U0IRENE")


async def test_the_policy_may_ask_the_pm_only(
    uow_factory: UowFactory, clock: FakeClock, slack: FakeSlackPeople
) -> None:
    await seed_directory(uow_factory, clock)
    only_pm = context(uow_factory, clock, slack, policy(approvers=("pm",)))
    assert (await submit_request(only_pm, allocation("U0MARTA"))).request.approvers == ("U0ANA",)


async def test_for_a_past_date_a_pm_without_modify_past_is_not_asked(ctx: ApprovalContext) -> None:
    submitted = await submit_request(ctx, allocation("U0MARTA", day=date(2026, 11, 23)))
    assert submitted.request.approvers == ("U0RITA",)


async def test_today_follows_the_company_time_zone(uow_factory: UowFactory, slack: FakeSlackPeople) -> None:
    late = FakeClock(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    await seed_directory(uow_factory, late)
    in_utc = context(uow_factory, late, slack, policy())
    in_rome = context(uow_factory, late, slack, policy(), zone="Europe/Rome")
    assert (await submit_request(in_utc, allocation("U0ANA"))).auto_approved  # 7 Dec is tomorrow in UTC
    pending = await submit_request(in_rome, allocation("U0ANA"))  # ... and already today in Rome
    assert pending.request.approvers == ("U0RITA",)


async def test_when_no_approver_is_in_slack_the_fallback_is_asked(
    ctx: ApprovalContext, slack: FakeSlackPeople
) -> None:
    del slack.emails["U0ANA"], slack.emails["U0IRENE"]
    assert (await submit_request(ctx, allocation("U0MARTA"))).request.approvers == ("U0RITA",)


async def test_a_usergroup_in_the_fallback_is_expanded(
    uow_factory: UowFactory, clock: FakeClock, slack: FakeSlackPeople
) -> None:
    await seed_directory(uow_factory, clock)
    slack.groups["resourcing"] = frozenset({"U0BRUNO"})
    rules = policy(fallback=(Member(kind=MemberKind.USERGROUP, value="resourcing"),))
    ctx = context(uow_factory, clock, slack, rules)
    submitted = await submit_request(ctx, allocation("U0MARTA", day=date(2026, 11, 23)))
    assert submitted.request.approvers == ("U0BRUNO",)  # a member of @resourcing holds every permission


async def test_when_nobody_may_approve_the_requester_is_told_whom_to_ask(
    uow_factory: UowFactory, clock: FakeClock, slack: FakeSlackPeople
) -> None:
    await seed_directory(uow_factory, clock)
    ctx = context(uow_factory, clock, slack, policy(fallback=()))
    with pytest.raises(
        NoApprover,
        match=r"may plan people on projects run by others, nor change the planning of today or past days",
    ) as raised:
        await submit_request(ctx, allocation("U0MARTA", day=date(2026, 11, 23)))
    assert "; whoever looks after Staffdesk's policy file can change who may approve." in str(raised.value)
    async with ctx.uow_factory() as uow:
        assert await uow.requests.pending_created_before(clock.now) == []


def mx_person(requester: str, project: str = MX_PROJECT) -> NewRequest:
    payload = MissionXProjectPersonPayload(project_id=project, email="new@acme.example", permission="member")
    return NewRequest(payload=payload, requester_id=requester)


async def test_a_resource_manager_with_no_upstream_account_adds_a_person_alone(ctx: ApprovalContext) -> None:
    submitted = await submit_request(ctx, mx_person("U0RITA"))  # no MissionX person has Rita's e-mail
    assert submitted.auto_approved
    assert submitted.request.status is S.APPROVED


async def test_someone_whose_rights_hang_on_managing_the_project_needs_an_upstream_account(
    ctx: ApprovalContext,
) -> None:
    with pytest.raises(NoUpstreamPerson) as raised:
        await submit_request(ctx, mx_person("U0BRUNO"))  # a PM in Wethod, with no MissionX person
    assert raised.value.field == "project"
    assert raised.value.ask == SlackUser("U0RITA")
    assert str(raised.value) == (
        "No MissionX person has your e-mail address (bruno@acme.example), so Staffdesk cannot tell "
        "whether you manage this project; U0RITA can add you to MissionX, or give you the permission for "
        "other people's projects."
    )


async def test_nobody_is_told_to_ask_themselves(
    uow_factory: UowFactory, clock: FakeClock, slack: FakeSlackPeople
) -> None:
    await seed_directory(uow_factory, clock)
    bruno = Member(kind=MemberKind.SLACK_USER, value="U0BRUNO")
    ctx = context(uow_factory, clock, slack, policy(fallback=(bruno,)))
    with pytest.raises(NoUpstreamPerson) as raised:
        await submit_request(ctx, mx_person("U0BRUNO"))
    assert "U0BRUNO" not in str(raised.value)
    assert "; whoever looks after Staffdesk's policy file can add you to MissionX" in str(raised.value)


async def test_someone_with_no_upstream_account_and_no_rights_is_sent_to_the_approvers(
    ctx: ApprovalContext,
) -> None:
    submitted = await submit_request(ctx, allocation("U0NOBODY"))
    assert (submitted.request.status, submitted.request.approvers) == (
        S.PENDING_APPROVAL,
        ("U0ANA", "U0IRENE"),
    )
    assert (await approve_request(ctx, submitted.request.id, "U0ANA")).status is S.APPROVED


async def test_an_approver_with_no_upstream_account_is_judged_on_the_permission_for_others(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    unmanaged = DirectoryProject(
        upstream=Upstream.MISSIONX, upstream_id="65f0c0ffee0123456789dead", name="Nomad"
    )
    async with ctx.uow_factory() as uow:
        await uow.directory.upsert_projects([unmanaged], now=clock.now)
        await uow.commit()
    submitted = await submit_request(ctx, mx_person("U0MARTA", project="65f0c0ffee0123456789dead"))
    assert submitted.request.approvers == ("U0RITA",)  # the fallback, with no MissionX person
    assert (await approve_request(ctx, submitted.request.id, "U0RITA")).status is S.APPROVED


async def test_unknown_and_archived_projects_are_refused(ctx: ApprovalContext) -> None:
    with pytest.raises(UnknownProject):
        await submit_request(ctx, allocation("U0ANA", project="4242"))
    with pytest.raises(NotAllowed, match="Old Archive is archived in Wethod"):
        await submit_request(ctx, allocation("U0ANA", project=ARCHIVE))


async def test_the_pm_approves_and_the_request_enters_the_outbox_with_one_audit_entry(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    clock.advance(minutes=10)
    approved = await approve_request(ctx, request.id, "U0ANA")
    assert (approved.status, approved.decided_by, approved.next_attempt_at) == (
        S.APPROVED,
        "U0ANA",
        clock.now,
    )
    with pytest.raises(RequestMovedOn):
        await approve_request(ctx, request.id, "U0IRENE")
    assert await audit(ctx, request.id) == [("U0MARTA", "submitted"), ("U0ANA", "approved")]


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ("U0MARTA", "You cannot approve or reject your own request."),
        ("U0BRUNO", "Only the approvers asked for this request can approve or reject it."),
        ("U0NOBODY", "Only the approvers asked for this request can approve or reject it."),
    ],
)
async def test_a_click_by_someone_who_may_not_approve_changes_nothing(
    ctx: ApprovalContext, actor: str, message: str
) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    with pytest.raises(NotAllowed) as raised:
        await approve_request(ctx, request.id, actor)
    assert str(raised.value) == message
    async with ctx.uow_factory() as uow:
        assert (await uow.requests.get(request.id)).status is S.PENDING_APPROVAL
    assert await audit(ctx, request.id) == [("U0MARTA", "submitted")]


async def test_an_approver_who_lost_a_permission_since_being_asked_is_refused(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA", day=date(2026, 11, 24)))).request
    assert request.approvers == ("U0ANA", "U0IRENE")
    clock.advance(days=1)  # the day is now today: approving it needs planning.modify_past
    with pytest.raises(
        NotAllowed, match=r"you may not change the planning of today or past days \(planning\.modify_past\)"
    ):
        await approve_request(ctx, request.id, "U0ANA")


async def test_a_pm_cannot_approve_their_own_request_even_where_they_may_approve_others(
    ctx: ApprovalContext,
) -> None:
    request = (await submit_request(ctx, whitelist("U0ANA", project=BOREALIS))).request
    assert request.approvers == ("U0BRUNO", "U0IRENE")
    with pytest.raises(NotAllowed, match="your own request"):
        await approve_request(ctx, request.id, "U0ANA")


async def test_a_rejection_needs_a_reason_and_keeps_it(ctx: ApprovalContext) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    with pytest.raises(ReasonRequired):
        await reject_request(ctx, request.id, "U0IRENE", "   ")
    rejected = await reject_request(ctx, request.id, "U0IRENE", " Over budget this month ")
    assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
        S.REJECTED,
        "Over budget this month",
        "U0IRENE",
    )


async def test_only_the_requester_cancels_and_only_while_pending(ctx: ApprovalContext) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    with pytest.raises(NotAllowed, match="Only the person who asked"):
        await cancel_request(ctx, request.id, "U0ANA")
    assert (await cancel_request(ctx, request.id, "U0MARTA")).status is S.CANCELLED
    with pytest.raises(RequestMovedOn):
        await cancel_request(ctx, request.id, "U0MARTA")


async def test_requests_waiting_past_expire_after_expire_and_decided_ones_do_not(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    waiting = (await submit_request(ctx, allocation("U0MARTA"))).request
    decided = (await submit_request(ctx, allocation("U0MARTA", hours=2))).request
    await approve_request(ctx, decided.id, "U0ANA")
    clock.advance(hours=71)
    assert await expire_requests(ctx) == []
    clock.advance(hours=1)
    (expired,) = await expire_requests(ctx)
    assert (expired.id, expired.status) == (waiting.id, S.EXPIRED)
    with pytest.raises(RequestMovedOn):
        await approve_request(ctx, waiting.id, "U0ANA")
    assert (await audit(ctx, waiting.id))[-1] == ("staffdesk", "expired")


async def test_missionx_project_managers_approve_project_people(ctx: ApprovalContext) -> None:
    payload = MissionXProjectPersonPayload(
        project_id=MX_PROJECT, email="new@acme.example", permission="member"
    )
    submitted = await submit_request(ctx, NewRequest(payload=payload, requester_id="U0MARTA"))
    assert submitted.request.approvers == ("U0ANA",)
    assert (await approve_request(ctx, submitted.request.id, "U0ANA")).status is S.APPROVED


async def test_a_slack_users_link_is_cached_and_found_again_when_it_stops_matching(
    ctx: ApprovalContext, slack: FakeSlackPeople, clock: FakeClock
) -> None:
    await submit_request(ctx, allocation("U0ANA"))
    await submit_request(ctx, allocation("U0ANA", hours=1))
    assert slack.asked.count("email_of U0ANA") == 1
    async with ctx.uow_factory() as uow:  # Ana's Wethod e-mail changes upstream
        await uow.directory.upsert_people(
            [
                DirectoryPerson(
                    upstream=Upstream.WETHOD,
                    upstream_id="1",
                    name="Ana",
                    email="ana.r@acme.example",
                    role="Project Manager",
                )
            ],
            now=clock.now,
        )
        await uow.commit()
    slack.emails["U0ANA"] = "ana.r@acme.example"
    assert (await submit_request(ctx, allocation("U0ANA", hours=2))).auto_approved
    assert slack.asked.count("email_of U0ANA") == 2


@pytest.mark.parametrize("click", ["approve", "reject", "cancel"])
async def test_a_click_after_expire_after_expires_the_request_then_and_there(
    ctx: ApprovalContext, clock: FakeClock, click: str
) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    clock.advance(hours=72, seconds=1)  # past expire_after, before any sweep of the expiry job
    clicks = {
        "approve": lambda: approve_request(ctx, request.id, "U0ANA"),
        "reject": lambda: reject_request(ctx, request.id, "U0ANA", "too late"),
        "cancel": lambda: cancel_request(ctx, request.id, "U0MARTA"),
    }
    with pytest.raises(RequestExpired, match="waited 3 days without a decision and has expired"):
        await clicks[click]()
    async with ctx.uow_factory() as uow:
        stored = await uow.requests.get(request.id)
        owed = [(n.kind, n.detail) for n in await uow.notices.unsent(request.id)]
    assert (stored.status, stored.next_attempt_at) == (S.EXPIRED, None)
    assert await audit(ctx, request.id) == [("U0MARTA", "submitted"), ("staffdesk", "expired")]
    assert owed == [(NoticeKind.SUBMITTED, {}), (NoticeKind.DECIDED, {"status": "expired"})]


async def test_a_click_just_before_expire_after_is_still_decided(
    ctx: ApprovalContext, clock: FakeClock
) -> None:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    clock.advance(hours=71, minutes=59)
    assert (await approve_request(ctx, request.id, "U0ANA")).status is S.APPROVED


async def test_the_same_submission_received_again_stores_one_request(ctx: ApprovalContext) -> None:
    new = allocation("U0MARTA").model_copy(update={"submission_key": "k" * 64})
    first = await submit_request(ctx, new)
    again = [await submit_request(ctx, new) for _ in range(2)]
    assert [s.request.id for s in again] == [first.request.id] * 2
    assert [s.auto_approved for s in again] == [first.auto_approved] * 2
    other = await submit_request(ctx, allocation("U0MARTA").model_copy(update={"submission_key": "o" * 64}))
    assert other.request.id != first.request.id
    async with ctx.uow_factory() as uow:
        assert len(await uow.requests.requested_by("U0MARTA")) == 2
        assert [n.kind for n in await uow.notices.unsent(first.request.id)] == [NoticeKind.SUBMITTED]


async def test_a_submission_stored_concurrently_twice_is_kept_once(ctx: ApprovalContext) -> None:
    new = allocation("U0MARTA").model_copy(update={"submission_key": "c" * 64})
    results = await asyncio.gather(*(submit_request(ctx, new) for _ in range(4)))
    assert len({r.request.id for r in results}) == 1
    async with ctx.uow_factory() as uow:
        assert len(await uow.requests.requested_by("U0MARTA")) == 1


async def test_every_change_leaves_its_slack_notice_in_the_same_transaction(
    ctx: ApprovalContext,
) -> None:
    rejected = (await submit_request(ctx, allocation("U0MARTA"))).request
    await reject_request(ctx, rejected.id, "U0IRENE", "Over budget")
    approved = (await submit_request(ctx, allocation("U0MARTA", hours=2))).request
    await approve_request(ctx, approved.id, "U0ANA")
    async with ctx.uow_factory() as uow:
        owed = {
            r.id: [(n.kind, n.detail) for n in await uow.notices.unsent(r.id)] for r in (rejected, approved)
        }
    assert owed == {
        rejected.id: [(NoticeKind.SUBMITTED, {}), (NoticeKind.DECIDED, {"status": "rejected"})],
        approved.id: [(NoticeKind.SUBMITTED, {}), (NoticeKind.DECIDED, {"status": "approved"})],
    }
