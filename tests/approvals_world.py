"""A small company for approval tests: a directory, Slack users, a policy, and a context over them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.requests import AllocationPayload, NewRequest, WhitelistPayload
from app.domain.upstreams import Upstream
from app.policy.model import ApprovalSettings, ApproverSource, Member, MemberKind, Permission, Policy
from app.services.approvers import ApprovalContext
from app.services.identity import Identities
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock

W, MX = Upstream.WETHOD, Upstream.MISSIONX
APOLLO, BOREALIS, ARCHIVE = "1000", "1001", "1009"
MX_PROJECT = "65f0c0ffee0123456789abcd"

# slack id -> (e-mail, Wethod person id, Wethod role)
PEOPLE = {
    "U0ANA": ("ana@acme.example", "1", "Project Manager"),
    "U0BRUNO": ("bruno@acme.example", "2", "Project Manager"),
    "U0IRENE": ("irene@acme.example", "9", "Account Manager"),
    "U0MARTA": ("marta@acme.example", "20", "Developer"),
    "U0RITA": ("rita@acme.example", "30", "Resource Manager"),
    "U0NOBODY": ("nobody@acme.example", None, None),
}


@dataclass
class FakeSlackPeople:
    emails: dict[str, str] = field(default_factory=lambda: {k: v[0] for k, v in PEOPLE.items()})
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def email_of(self, slack_user_id: str) -> str | None:
        self.asked.append(f"email_of {slack_user_id}")
        return self.emails.get(slack_user_id)

    async def user_by_email(self, email: str) -> str | None:
        return next((k for k, v in self.emails.items() if v == email), None)

    async def usergroup_members(self, handle: str) -> frozenset[str]:
        return self.groups.get(handle, frozenset())


def policy(**approvals: object) -> Policy:
    return Policy(
        roles={
            "resource-manager": frozenset(Permission),
            "project-manager": frozenset(
                {Permission.PLANNING_MODIFY, Permission.PIPELINE_EDIT, Permission.PEOPLE_ADD}
            ),
        },
        members={
            "resource-manager": (
                Member(kind=MemberKind.SLACK_USER, value="U0RITA"),
                Member(kind=MemberKind.USERGROUP, value="resourcing"),
            ),
            "project-manager": (
                Member(kind=MemberKind.WETHOD_ROLE, value="Project Manager"),
                Member(kind=MemberKind.WETHOD_ROLE, value="Account Manager"),
            ),
        },
        approvals=ApprovalSettings.model_validate(
            {
                "approvers": (ApproverSource.PM, ApproverSource.ACCOUNT),
                "fallback": (Member(kind=MemberKind.SLACK_USER, value="U0RITA"),),
            }
            | approvals
        ),
    )


async def seed_directory(uow_factory: Callable[[], SqlUnitOfWork], clock: FakeClock) -> None:
    people = [
        DirectoryPerson(upstream=W, upstream_id=pid, name=slack, email=email, role=role)
        for slack, (email, pid, role) in PEOPLE.items()
        if pid
    ]
    projects = [
        DirectoryProject(upstream=W, upstream_id=APOLLO, name="Apollo Website", pm_id="1", account_id="9"),
        DirectoryProject(upstream=W, upstream_id=BOREALIS, name="Borealis App", pm_id="2", account_id="9"),
        DirectoryProject(
            upstream=W, upstream_id=ARCHIVE, name="Old Archive", pm_id="1", account_id="9", archived=True
        ),
        DirectoryProject(upstream=MX, upstream_id=MX_PROJECT, name="Falcon", manager_ids=("mx-ana",)),
    ]
    mx_people = [
        DirectoryPerson(upstream=MX, upstream_id="mx-ana", name="Ana", email="ana@acme.example"),
        DirectoryPerson(upstream=MX, upstream_id="mx-marta", name="Marta", email="marta@acme.example"),
    ]
    async with uow_factory() as uow:
        await uow.directory.upsert_people([*people, *mx_people], now=clock.now)
        await uow.directory.upsert_projects(projects, now=clock.now)
        await uow.commit()


def context(
    uow_factory: Callable[[], SqlUnitOfWork],
    clock: FakeClock,
    slack: FakeSlackPeople,
    rules: Policy,
    zone: str = "UTC",
) -> ApprovalContext:
    identities = Identities(uow_factory, slack, rules, clock)
    return ApprovalContext(uow_factory, identities, slack, rules, clock, ZoneInfo(zone))


def allocation(
    requester: str, project: str = APOLLO, day: date = date(2026, 12, 7), hours: int = 4
) -> NewRequest:
    payload = AllocationPayload(person_id=20, project_id=int(project), dates=(day,), hours=hours)
    return NewRequest(payload=payload, requester_id=requester, channel_id="C0STAFFING")


def whitelist(requester: str, project: str = APOLLO) -> NewRequest:
    return NewRequest(payload=WhitelistPayload(project_id=int(project), person_id=20), requester_id=requester)
