"""Who is asked to approve a request: the project's managers who may, else the policy's fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo

from app.domain.absences import Absence
from app.domain.amends import acted_on
from app.domain.directory import DirectoryProject
from app.domain.errors import UnknownProject
from app.domain.requests import RequestPayload, StaffingRequest
from app.domain.upstreams import UPSTREAM_OF_KIND, Upstream
from app.domain.words import Joined, SlackUser, Value, said
from app.policy.model import ApproverSource, Member, MemberKind, Policy
from app.policy.rules import ProjectFacts, company_today, may_approve
from app.services.directory_index import DirectoryReads
from app.services.identity import Identities
from app.services.ports import Clock, RequestLookup, SlackPeople, UnitOfWork, UnitOfWorkFactory


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ApprovalContext:
    """What every approval service needs: storage, Slack people, identities, the policy and the clock."""

    uow_factory: UnitOfWorkFactory
    identities: Identities
    slack: SlackPeople
    policy: Policy
    clock: Clock
    timezone: tzinfo
    wake_outbox: Callable[[], None] = _nothing  # called once a change has stored Slack notices
    reading: UnitOfWorkFactory | None = None  # read-only units of work, for the reads before a change
    lookup: RequestLookup | None = None  # one request by id, the read a click makes before it decides

    def lookups(self) -> DirectoryReads:
        """The directory lookups: from the process's index, as its identities read them."""
        return self.identities.directory()

    def read(self) -> UnitOfWork:
        """A unit of work for reading only: no write lock on SQLite, no transaction on PostgreSQL."""
        return (self.reading or self.uow_factory)()

    async def request(self, request_id: str) -> StaffingRequest:
        """The stored request, as it is now; RequestNotFound when there is none."""
        if self.lookup is not None:
            return await self.lookup(request_id)
        async with self.read() as uow:
            return await uow.requests.get(request_id)

    def today(self) -> date:
        return company_today(self.clock(), self.timezone)

    def whom_to_ask(self, asker: str | None = None, asker_email: str | None = None) -> Value:
        """The policy's fallback approvers, who can change Staffdesk's set-up, never the asker themselves:
        "<@U1> or @resourcing", or words for whoever looks after the policy when there are none."""
        names: list[Value] = []
        for member in self.policy.approvals.fallback:
            if member.kind is MemberKind.SLACK_USER and member.value != asker:
                names.append(SlackUser(member.value))
            elif member.kind is MemberKind.EMAIL and member.value.lower() != (asker_email or "").lower():
                names.append(member.value)
            elif member.kind is MemberKind.USERGROUP:
                names.append(f"@{member.value}")
        if not names:
            return said("whoever looks after Staffdesk's policy file")
        return names[0] if len(names) == 1 else Joined(tuple(names), said(" or "))


def project_id_of(payload: RequestPayload) -> str:
    return str(payload.project_id)


async def project_facts(
    ctx: ApprovalContext, upstream: Upstream, project_id: str
) -> tuple[DirectoryProject, ProjectFacts]:
    project = await ctx.lookups().project(upstream, project_id)
    if project is None:
        raise UnknownProject(upstream.label, project_id)
    facts = ProjectFacts(
        pm_id=project.pm_id, account_id=project.account_id, manager_ids=frozenset(project.manager_ids)
    )
    return project, facts


def _managers(upstream: Upstream, facts: ProjectFacts, sources: Iterable[ApproverSource]) -> list[str]:
    if upstream is not Upstream.WETHOD:
        return sorted(facts.manager_ids)
    wanted = {ApproverSource.PM: facts.pm_id, ApproverSource.ACCOUNT: facts.account_id}
    return [pid for source in sources if (pid := wanted[source]) is not None]


async def _slack_ids_of_people(ctx: ApprovalContext, upstream: Upstream, person_ids: list[str]) -> list[str]:
    people = {p.upstream_id: p for p in await ctx.lookups().people(upstream, person_ids)}
    found = []
    for pid in person_ids:
        person = people.get(pid)
        if person is not None and person.email and (slack_id := await ctx.slack.user_by_email(person.email)):
            found.append(slack_id)
    return found


async def _slack_ids_of_member(ctx: ApprovalContext, member: Member) -> list[str]:
    """A policy member as Slack users; `*` cannot be listed and names nobody here."""
    match member.kind:
        case MemberKind.SLACK_USER:
            return [member.value]
        case MemberKind.EMAIL:
            found = await ctx.slack.user_by_email(member.value)
            return [found] if found else []
        case MemberKind.USERGROUP:
            return sorted(await ctx.identities.usergroup_members(member.value))
        case MemberKind.WETHOD_ROLE:
            people = await ctx.lookups().people_with_role(Upstream.WETHOD, member.value)
            return await _slack_ids_of_people(ctx, Upstream.WETHOD, [p.upstream_id for p in people])
    return []


async def _who_may(
    ctx: ApprovalContext,
    candidates: list[str],
    requester_id: str,
    payload: RequestPayload,
    upstream: Upstream,
    facts: ProjectFacts,
    today: date,
) -> list[str]:
    chosen: list[str] = []
    for slack_id in dict.fromkeys(candidates):
        if slack_id == requester_id:
            continue
        approver = await ctx.identities.actor(slack_id, upstream)
        if may_approve(ctx.policy, approver, requester_id, payload, facts, today):
            chosen.append(slack_id)
    return chosen


async def may_decide(
    ctx: ApprovalContext, slack_id: str, request: StaffingRequest, facts: ProjectFacts, today: date
) -> bool:
    """Whether this person holds, in their own right, what deciding the request needs."""
    upstream = UPSTREAM_OF_KIND[request.kind]
    acting = acted_on(request.payload, request.amends)
    chosen = await _who_may(ctx, [slack_id], request.requester_id, acting, upstream, facts, today)
    return bool(chosen)


@dataclass(frozen=True)
class Chosen:
    """The approvers to ask, and for each one away, who was asked in their place (a delegate or the
    fallback: None)."""

    approvers: tuple[str, ...]
    in_place_of: dict[str, str | None]


async def away_today(ctx: ApprovalContext, slack_ids: Iterable[str], today: date) -> dict[str, Absence]:
    async with ctx.read() as uow:
        absences = await uow.absences.of(list(dict.fromkeys(slack_ids)))
    return {a.slack_user_id: a for a in absences if a.covers(today)}


async def fallback_approvers(
    ctx: ApprovalContext,
    payload: RequestPayload,
    requester_id: str,
    upstream: Upstream,
    facts: ProjectFacts,
    today: date,
) -> list[str]:
    """The policy's fallback members, as Slack users, who may approve this request."""
    fallback = [sid for m in ctx.policy.approvals.fallback for sid in await _slack_ids_of_member(ctx, m)]
    return await _who_may(ctx, fallback, requester_id, payload, upstream, facts, today)


async def choose_approvers(
    ctx: ApprovalContext,
    payload: RequestPayload,
    requester_id: str,
    upstream: Upstream,
    facts: ProjectFacts,
    today: date,
) -> Chosen:
    """The project's managers found in Slack who may approve, a manager away replaced by their delegate
    when the delegate may approve in their own right; the fallback members who may, when none is left or
    a delegate may not."""
    managers = _managers(upstream, facts, ctx.policy.approvals.approvers)
    candidates = await _slack_ids_of_people(ctx, upstream, managers)
    away = await away_today(ctx, candidates, today)
    in_turn = [away[c].delegate_id if c in away else c for c in candidates]
    chosen = await _who_may(ctx, in_turn, requester_id, payload, upstream, facts, today)
    in_place_of: dict[str, str | None] = {
        c: (away[c].delegate_id if away[c].delegate_id in chosen else None) for c in away
    }
    if chosen and None not in in_place_of.values():
        return Chosen(tuple(chosen), in_place_of)
    fallback = await fallback_approvers(ctx, payload, requester_id, upstream, facts, today)
    return Chosen(tuple(dict.fromkeys([*chosen, *fallback])), in_place_of)
