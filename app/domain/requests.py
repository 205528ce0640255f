"""A staffing request: its kind, a payload per kind with the upstream's own constraints, and its state."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.domain.errors import NotLess
from app.domain.placement import Amendment
from app.domain.status import RequestStatus
from app.domain.words import Said, said

PositiveId = Annotated[int, Field(strict=True, ge=1)]
AllocationHours = Annotated[int, Field(strict=True, ge=1, le=8)]
ObjectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{24}$")]
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None
SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,}$")]

MAX_ALLOCATION_DAYS = 31
MAX_ALLOCATION_PEOPLE = 10


class RequestKind(StrEnum):
    ALLOCATION = "allocation"
    WHITELIST = "whitelist"
    MISSIONX_PROJECT_PERSON = "missionx_project_person"
    PROCORE_PROJECT_PERSON = "procore_project_person"

    @property
    def label(self) -> str:
        """The kind in English, for logs: "Allocation"."""
        return _KIND_LABELS[self]

    @property
    def words(self) -> Said:
        """The kind as a title for a person: "Allocation"."""
        return _KIND_WORDS[self]


_KIND_LABELS = {
    RequestKind.ALLOCATION: "Allocation",
    RequestKind.WHITELIST: "Timesheet whitelist",
    RequestKind.MISSIONX_PROJECT_PERSON: "Add to a MissionX project",
    RequestKind.PROCORE_PROJECT_PERSON: "Add to a Procore project",
}
_KIND_WORDS = {
    RequestKind.ALLOCATION: said("Allocation"),
    RequestKind.WHITELIST: said("Timesheet whitelist"),
    RequestKind.MISSIONX_PROJECT_PERSON: said("Add to a MissionX project"),
    RequestKind.PROCORE_PROJECT_PERSON: said("Add to a Procore project"),
}


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AllocationPayload(_Payload):
    """Wethod people allocation: one allocation of `hours` per person per day in `dates`; the people are
    `person_id` and, when several are asked for at once, `also`."""

    kind: Literal[RequestKind.ALLOCATION] = RequestKind.ALLOCATION
    person_id: PositiveId
    project_id: PositiveId
    dates: tuple[date, ...] = Field(min_length=1, max_length=MAX_ALLOCATION_DAYS)
    hours: AllocationHours
    also: tuple[PositiveId, ...] = Field(default=(), max_length=MAX_ALLOCATION_PEOPLE - 1)

    @field_validator("dates")
    @classmethod
    def _sorted_and_unique(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each day may appear only once")
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _each_person_once(self) -> AllocationPayload:
        if len(set(self.people)) != len(self.people):
            raise ValueError("each person may appear only once")
        return self

    @property
    def people(self) -> tuple[int, ...]:
        return (self.person_id, *self.also)

    def only(self, people: tuple[int, ...]) -> AllocationPayload:
        """The same allocation for some of its people (at least one)."""
        first, *rest = people
        return self.model_copy(update={"person_id": first, "also": tuple(rest)})

    @property
    def earliest(self) -> date:
        return self.dates[0]

    def narrowed(self, dates: tuple[date, ...], hours: int) -> AllocationPayload:
        """This allocation with fewer days or fewer hours, as an approver may approve it.

        Raises NotLess when the days are not some of these, or the hours are more, or nothing is less."""
        if not dates:
            raise NotLess(said("Keep at least one day, or reject the request instead."))
        if not set(dates) <= set(self.dates):
            raise NotLess(said("Only days that were asked for can be approved."))
        if not 1 <= hours <= self.hours:
            raise NotLess(
                said("The hours can be lowered, from 1 to the {hours} asked, not raised.", hours=self.hours),
                "hours",
            )
        if set(dates) == set(self.dates) and hours == self.hours:
            raise NotLess(said("Nothing was changed: drop a day or lower the hours, or use Approve."))
        return self.model_copy(update={"dates": tuple(sorted(dates)), "hours": hours})


class WhitelistPayload(_Payload):
    """Wethod timesheet whitelist entry."""

    kind: Literal[RequestKind.WHITELIST] = RequestKind.WHITELIST
    project_id: PositiveId
    person_id: PositiveId


class MissionXPermission(StrEnum):
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"
    OBSERVER = "observer"

    @property
    def words(self) -> Said:
        """The access in a few words, for a person: "manager access"."""
        return _ACCESS_WORDS[self]

    @property
    def described(self) -> Said:
        """The access with what it allows, as a form offers it."""
        return _ACCESS_MEANINGS[self]


_ACCESS_WORDS = {
    MissionXPermission.MEMBER: said("member access"),
    MissionXPermission.MANAGER: said("manager access"),
    MissionXPermission.ADMIN: said("admin access"),
    MissionXPermission.OBSERVER: said("observer access"),
}
_ACCESS_MEANINGS = {
    MissionXPermission.MEMBER: said("Member access: does the work"),
    MissionXPermission.MANAGER: said("Manager access: also settings, dates, rates"),
    MissionXPermission.ADMIN: said("Admin access: full control"),
    MissionXPermission.OBSERVER: said("Observer access: can only view"),
}


class MissionXRateTime(StrEnum):
    ONE_TIME = "oneTime"
    RECURRING = "recurring"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"

    @property
    def words(self) -> Said:
        """How often the rate is counted, for a person: "per hour"."""
        return _RATE_TIME_WORDS[self]


_RATE_TIME_WORDS = {
    MissionXRateTime.ONE_TIME: said("one-off"),
    MissionXRateTime.RECURRING: said("recurring"),
    MissionXRateTime.HOURLY: said("per hour"),
    MissionXRateTime.DAILY: said("per day"),
    MissionXRateTime.WEEKLY: said("per week"),
    MissionXRateTime.MONTHLY: said("per month"),
    MissionXRateTime.YEARLY: said("per year"),
}


class MissionXProjectPersonPayload(_Payload):
    """MissionX project person; `permission` and `email` are the upstream's required fields."""

    kind: Literal[RequestKind.MISSIONX_PROJECT_PERSON] = RequestKind.MISSIONX_PROJECT_PERSON
    project_id: ObjectId
    email: EmailStr
    permission: MissionXPermission
    role: ObjectId | None = None
    role_title: OptionalText = None
    is_project_manager: bool = False
    rate: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    rate_time: MissionXRateTime | None = None


class ProcoreProjectPersonPayload(_Payload):
    """Procore project (reference) person; `last_name` is the upstream's one required field."""

    kind: Literal[RequestKind.PROCORE_PROJECT_PERSON] = RequestKind.PROCORE_PROJECT_PERSON
    project_id: PositiveId
    last_name: NonBlank
    first_name: OptionalText = None
    job_title: OptionalText = None
    employee_id: OptionalText = None
    origin_id: OptionalText = None
    is_employee: bool = False
    work_classification_id: PositiveId | None = None


RequestPayload = Annotated[
    AllocationPayload | WhitelistPayload | MissionXProjectPersonPayload | ProcoreProjectPersonPayload,
    Field(discriminator="kind"),
]


NOTE_LENGTH = 1000


class NewRequest(BaseModel):
    """What a requester asks for, before it is stored."""

    model_config = ConfigDict(frozen=True)

    payload: RequestPayload
    requester_id: SlackUserId
    channel_id: str | None = None
    approvers: tuple[str, ...] = ()
    submission_key: str | None = None  # the same Slack submission, received again, has the same key
    note: Annotated[str, Field(max_length=NOTE_LENGTH)] | None = None  # the requester's words to the approver
    lacking: tuple[str, ...] = ()  # the permissions the requester does not hold: why approvers are asked
    amends: Amendment | None = None  # set on an undo or a change of a delivered request

    @property
    def kind(self) -> RequestKind:
        return self.payload.kind


class StaffingRequest(BaseModel):
    """A stored staffing request as the services see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    payload: RequestPayload
    status: RequestStatus
    requester_id: str
    channel_id: str | None
    message_ts: str | None
    approvers: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    result: dict[str, object] | None
    version: int
    note: str | None = None
    lacking: tuple[str, ...] = ()
    asked: RequestPayload | None = None  # what the requester asked for, when an approver approved less
    amends: Amendment | None = None  # set on an undo or a change of a delivered request
    amended_by: str | None = None  # the undo or change of this request, once one is asked for

    @property
    def kind(self) -> RequestKind:
        return self.payload.kind
