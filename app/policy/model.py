"""The permission policy as the rules see it: roles, their members, and the approval settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from app.domain.words import Joined, Said, said, verbatim


class Permission(StrEnum):
    """The upstreams' own permission names, as the seeds give them."""

    PLANNING_MODIFY = "planning.modify"
    PLANNING_MODIFY_OTHER = "planning.modify_other"
    PLANNING_MODIFY_PAST = "planning.modify_past"
    PIPELINE_EDIT = "pipeline.edit"
    PIPELINE_EDIT_OTHER = "pipeline.edit_other"
    PEOPLE_ADD = "people.add"
    PEOPLE_ADD_OTHER = "people.add_other"

    @property
    def words(self) -> Said:
        """What the permission lets a person do, as a sentence's verb phrase."""
        return _PERMISSION_WORDS[self]


_PERMISSION_WORDS = {
    Permission.PLANNING_MODIFY: said("plan people on projects they run"),
    Permission.PLANNING_MODIFY_OTHER: said("plan people on projects run by others"),
    Permission.PLANNING_MODIFY_PAST: said("change the planning of today or past days"),
    Permission.PIPELINE_EDIT: said("change the timesheet whitelist of projects they run"),
    Permission.PIPELINE_EDIT_OTHER: said("change the timesheet whitelist of projects run by others"),
    Permission.PEOPLE_ADD: said("add people to projects they manage"),
    Permission.PEOPLE_ADD_OTHER: said("add people to projects managed by others"),
}

_NOR = said(", nor ")


def permissions_in_words(names: Iterable[str]) -> Said:
    """ "plan people on projects run by others, nor change the planning of today or past days
    (planning.modify_other, planning.modify_past)": what the named permissions allow, as a verb phrase for
    "may not", then their names."""
    given = list(names)
    known = sorted(Permission(n) for n in given if n in Permission.__members__.values())
    if not known:
        return verbatim(", ".join(given))
    return said(
        "{permissions} ({names})",
        permissions=Joined(tuple(p.words for p in known), _NOR),
        names=", ".join(p.value for p in known),
    )


class ApproverSource(StrEnum):
    PM = "pm"
    ACCOUNT = "account"


class MemberKind(StrEnum):
    SLACK_USER = "slack_user"
    EMAIL = "email"
    USERGROUP = "usergroup"
    WETHOD_ROLE = "wethod_role"
    EVERYONE = "everyone"


class Member(BaseModel):
    """One entry of a role's member list: a Slack user id, an e-mail, an @usergroup, a Wethod role, or *."""

    model_config = ConfigDict(frozen=True)

    kind: MemberKind
    value: str = ""


class ReminderHours(BaseModel):
    """When approvers may be nudged: from `start` to `end`, company time, Monday to Friday."""

    model_config = ConfigDict(frozen=True)

    start: time = time(9)
    end: time = time(18)

    def allows(self, local: datetime) -> bool:
        return local.weekday() < 5 and self.start <= local.time() < self.end


class ApprovalSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    approvers: tuple[ApproverSource, ...] = (ApproverSource.PM, ApproverSource.ACCOUNT)
    fallback: tuple[Member, ...] = ()
    auto_approve: bool = True
    expire_after: timedelta = timedelta(hours=72)
    remind_after: timedelta | None = None  # a request still pending is reminded to its approvers, per period
    remind_between: ReminderHours | None = ReminderHours()  # None: at any hour of any day ("always")
    escalate_after: timedelta | None = None  # a request still pending is put to the fallback approvers too

    def may_nudge(self, local: datetime) -> bool:
        """Whether reminders and escalations may go out at this company-time instant."""
        return self.remind_between is None or self.remind_between.allows(local)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True)

    roles: dict[str, frozenset[Permission]]
    members: dict[str, tuple[Member, ...]]
    approvals: ApprovalSettings = ApprovalSettings()
