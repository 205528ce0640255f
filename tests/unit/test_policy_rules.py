"""The permission rules, table by table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.policy.model import Member, MemberKind, Permission, Policy
from app.policy.rules import (
    Actor,
    ProjectFacts,
    company_today,
    may_approve,
    permissions_of,
    required_permissions,
)

P = Permission
TODAY = date(2026, 12, 1)
PROJECT = ProjectFacts(pm_id="1", account_id="9", manager_ids=frozenset({"m1"}))
MX_PROJECT = "65f0c0ffee0123456789abcd"


def allocation(*days: date) -> AllocationPayload:
    return AllocationPayload(person_id=20, project_id=1000, dates=days, hours=4)


WHITELIST = WhitelistPayload(project_id=1000, person_id=20)
MISSIONX = MissionXProjectPersonPayload(project_id=MX_PROJECT, email="a@b.example", permission="member")
PROCORE = ProcoreProjectPersonPayload(project_id=5, last_name="Rossi")


@pytest.mark.parametrize(
    ("payload", "person", "expected"),
    [
        (allocation(date(2026, 12, 2)), "1", {P.PLANNING_MODIFY}),
        (allocation(date(2026, 12, 2)), "9", {P.PLANNING_MODIFY}),
        (allocation(date(2026, 12, 2)), "20", {P.PLANNING_MODIFY_OTHER}),
        (allocation(date(2026, 12, 2)), None, {P.PLANNING_MODIFY_OTHER}),
        (allocation(TODAY), "1", {P.PLANNING_MODIFY, P.PLANNING_MODIFY_PAST}),
        (allocation(date(2026, 11, 3)), "20", {P.PLANNING_MODIFY_OTHER, P.PLANNING_MODIFY_PAST}),
        (allocation(date(2026, 11, 30), date(2026, 12, 9)), "9", {P.PLANNING_MODIFY, P.PLANNING_MODIFY_PAST}),
        (allocation(date(2026, 12, 2), date(2026, 12, 9)), "9", {P.PLANNING_MODIFY}),
        (WHITELIST, "1", {P.PIPELINE_EDIT}),
        (WHITELIST, "9", {P.PIPELINE_EDIT}),
        (WHITELIST, "20", {P.PIPELINE_EDIT_OTHER}),
        (MISSIONX, "m1", {P.PEOPLE_ADD}),
        (MISSIONX, "1", {P.PEOPLE_ADD_OTHER}),
        (PROCORE, "m1", {P.PEOPLE_ADD}),
        (PROCORE, "7", {P.PEOPLE_ADD_OTHER}),
    ],
)
def test_required_permissions_follow_the_seeds(
    payload: RequestPayload, person: str | None, expected: set[Permission]
) -> None:
    assert required_permissions(payload, person, PROJECT, TODAY) == expected


@pytest.mark.parametrize(
    ("instant", "zone", "today"),
    [
        (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), "Europe/Rome", date(2026, 11, 30)),
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), "Europe/Rome", date(2026, 12, 1)),
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), "UTC", date(2026, 11, 30)),
        (datetime(2026, 12, 1, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 11, 30)),
        (datetime(2026, 12, 1, 5, 0, tzinfo=UTC), "America/New_York", date(2026, 12, 1)),
    ],
)
def test_today_is_the_companys_day_across_the_time_zone_boundary(
    instant: datetime, zone: str, today: date
) -> None:
    assert company_today(instant, ZoneInfo(zone)) == today


def test_an_allocation_for_tomorrow_becomes_past_at_company_midnight() -> None:
    payload = allocation(date(2026, 12, 1))
    before = company_today(datetime(2026, 11, 30, 22, 59, tzinfo=UTC), ZoneInfo("Europe/Rome"))
    after = company_today(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), ZoneInfo("Europe/Rome"))
    assert P.PLANNING_MODIFY_PAST not in required_permissions(payload, "1", PROJECT, before)
    assert P.PLANNING_MODIFY_PAST in required_permissions(payload, "1", PROJECT, after)


POLICY = Policy(
    roles={
        "rm": frozenset(Permission),
        "pm": frozenset({P.PLANNING_MODIFY, P.PIPELINE_EDIT, P.PEOPLE_ADD}),
        "past": frozenset({P.PLANNING_MODIFY_PAST}),
        "viewer": frozenset(),
    },
    members={
        "rm": (
            Member(kind=MemberKind.SLACK_USER, value="U0RM"),
            Member(kind=MemberKind.USERGROUP, value="resourcing"),
        ),
        "pm": (Member(kind=MemberKind.WETHOD_ROLE, value="Project Manager"),),
        "past": (Member(kind=MemberKind.EMAIL, value="ana.rossi@acme.example"),),
        "viewer": (Member(kind=MemberKind.EVERYONE),),
    },
)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (Actor("U0RM"), set(Permission)),
        (Actor("U0X", usergroups=frozenset({"resourcing"})), set(Permission)),
        (Actor("U0X", wethod_role="project manager"), {P.PLANNING_MODIFY, P.PIPELINE_EDIT, P.PEOPLE_ADD}),
        (Actor("U0X", email="Ana.Rossi@acme.example"), {P.PLANNING_MODIFY_PAST}),
        (Actor("U0X"), set()),
    ],
)
def test_permissions_come_from_every_role_the_person_is_a_member_of(
    actor: Actor, expected: set[Permission]
) -> None:
    assert permissions_of(POLICY, actor) == expected


PM = Actor("U0PM", wethod_role="Project Manager", upstream_person_id="1")
PM_WITH_PAST = Actor(
    "U0PM2", email="ana.rossi@acme.example", wethod_role="Project Manager", upstream_person_id="1"
)
ACCOUNT = Actor("U0ACC", wethod_role="Project Manager", upstream_person_id="9")
OUTSIDER_PM = Actor("U0OUT", wethod_role="Project Manager", upstream_person_id="55")
RESOURCE_MANAGER = Actor("U0RM", upstream_person_id="77")


@pytest.mark.parametrize(
    ("approver", "requester", "payload", "allowed"),
    [
        (PM, "U0REQ", allocation(date(2026, 12, 5)), True),
        (ACCOUNT, "U0REQ", allocation(date(2026, 12, 5)), True),
        (OUTSIDER_PM, "U0REQ", allocation(date(2026, 12, 5)), False),
        (PM, "U0REQ", allocation(TODAY), False),
        (PM_WITH_PAST, "U0REQ", allocation(TODAY), True),
        (PM, "U0PM", allocation(date(2026, 12, 5)), False),
        (RESOURCE_MANAGER, "U0RM", WHITELIST, False),
        (RESOURCE_MANAGER, "U0REQ", allocation(date(2026, 11, 2)), True),
        (PM, "U0REQ", WHITELIST, True),
        (OUTSIDER_PM, "U0REQ", WHITELIST, False),
    ],
)
def test_an_approver_needs_the_permissions_in_their_own_right_and_never_approves_their_own(
    approver: Actor, requester: str, payload: RequestPayload, allowed: bool
) -> None:
    assert may_approve(POLICY, approver, requester, payload, PROJECT, TODAY) is allowed
