"""The permission policy as the rules see it: roles, their members, and the approval settings."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Permission(StrEnum):
    """The upstreams' own permission names, as the seeds give them."""

    PLANNING_MODIFY = "planning.modify"
    PLANNING_MODIFY_OTHER = "planning.modify_other"
    PLANNING_MODIFY_PAST = "planning.modify_past"
    PIPELINE_EDIT = "pipeline.edit"
    PIPELINE_EDIT_OTHER = "pipeline.edit_other"
    PEOPLE_ADD = "people.add"
    PEOPLE_ADD_OTHER = "people.add_other"


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


class ApprovalSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    approvers: tuple[ApproverSource, ...] = (ApproverSource.PM, ApproverSource.ACCOUNT)
    fallback: tuple[Member, ...] = ()
    auto_approve: bool = True
    expire_after: timedelta = timedelta(hours=72)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True)

    roles: dict[str, frozenset[Permission]]
    members: dict[str, tuple[Member, ...]]
    approvals: ApprovalSettings = ApprovalSettings()
