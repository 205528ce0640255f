"""What a request needs, what a person holds, and who may approve it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.policy.model import Member, MemberKind, Permission, Policy

P = Permission


@dataclass(frozen=True)
class ProjectFacts:
    """Who runs a project upstream, as upstream person ids."""

    pm_id: str | None = None
    account_id: str | None = None
    manager_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Actor:
    """Everything the rules may know about a person: Slack id, e-mail, groups, Wethod role, upstream id."""

    slack_user_id: str
    email: str | None = None
    usergroups: frozenset[str] = frozenset()
    wethod_role: str | None = None
    upstream_person_id: str | None = None


def company_today(now: datetime, timezone: tzinfo) -> date:
    """What "today" is in the company's time zone at the instant `now`."""
    return now.astimezone(timezone).date()


def runs_project(person_id: str | None, project: ProjectFacts, payload: RequestPayload) -> bool:
    """PM or Account for Wethod kinds; a manager of the project for project-person kinds."""
    if person_id is None:
        return False
    if isinstance(payload, AllocationPayload | WhitelistPayload):
        return person_id in (project.pm_id, project.account_id)
    return person_id in project.manager_ids


def required_permissions(
    payload: RequestPayload, person_id: str | None, project: ProjectFacts, today: date
) -> frozenset[Permission]:
    """The permissions someone with upstream id `person_id` needs for `payload`, on `today` (company time)."""
    return needed_for(payload, runs_project(person_id, project, payload), today)


def needed_for(payload: RequestPayload, runs_it: bool, today: date) -> frozenset[Permission]:
    """The permissions `payload` needs from someone who runs its project (`runs_it`) or does not."""
    if isinstance(payload, AllocationPayload):
        needed = {P.PLANNING_MODIFY if runs_it else P.PLANNING_MODIFY_OTHER}
        if payload.earliest <= today:
            needed.add(P.PLANNING_MODIFY_PAST)
        return frozenset(needed)
    if isinstance(payload, WhitelistPayload):
        return frozenset({P.PIPELINE_EDIT if runs_it else P.PIPELINE_EDIT_OTHER})
    assert isinstance(payload, MissionXProjectPersonPayload | ProcoreProjectPersonPayload)
    return frozenset({P.PEOPLE_ADD if runs_it else P.PEOPLE_ADD_OTHER})


def relation_decides(policy: Policy, actor: Actor, payload: RequestPayload, today: date) -> bool:
    """Whether `actor` may act alone only if they run the project: then who they are upstream matters.
    For anyone holding the permission for other people's projects, or holding neither, it does not."""
    held = permissions_of(policy, actor)
    return needed_for(payload, True, today) <= held and not needed_for(payload, False, today) <= held


def is_member(actor: Actor, member: Member) -> bool:
    match member.kind:
        case MemberKind.EVERYONE:
            return True
        case MemberKind.SLACK_USER:
            return actor.slack_user_id == member.value
        case MemberKind.EMAIL:
            return actor.email is not None and actor.email.lower() == member.value.lower()
        case MemberKind.USERGROUP:
            return member.value in actor.usergroups
        case MemberKind.WETHOD_ROLE:
            return actor.wethod_role is not None and actor.wethod_role.casefold() == member.value.casefold()
    return False


def permissions_of(policy: Policy, actor: Actor) -> frozenset[Permission]:
    """The union of the permissions of every role `actor` is a member of."""
    held: set[Permission] = set()
    for role, members in policy.members.items():
        if any(is_member(actor, m) for m in members):
            held |= policy.roles.get(role, frozenset())
    return frozenset(held)


def may_act_alone(policy: Policy, actor: Actor, needed: frozenset[Permission]) -> bool:
    return needed <= permissions_of(policy, actor)


def may_approve(
    policy: Policy,
    approver: Actor,
    requester_slack_id: str,
    payload: RequestPayload,
    project: ProjectFacts,
    today: date,
) -> bool:
    """An approver needs, in their own right, what the request would need had they asked for it."""
    if approver.slack_user_id == requester_slack_id:
        return False
    needed = required_permissions(payload, approver.upstream_person_id, project, today)
    return needed <= permissions_of(policy, approver)


def missing_permissions(policy: Policy, actor: Actor, needed: frozenset[Permission]) -> list[str]:
    return sorted(p.value for p in needed - permissions_of(policy, actor))
