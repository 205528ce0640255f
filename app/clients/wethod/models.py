"""Wethod resources as pydantic models; unknown fields are ignored, as the API adds them freely."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _WethodModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WethodResource(_WethodModel):
    """Anything Wethod stores: it has a positive integer id."""

    id: int


class Allocation(WethodResource):
    """Hours of one person on one project on one day."""

    person_id: int
    project_id: int
    date: date
    hours: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None


class NewAllocation(_WethodModel):
    """The body of `POST /api/people-allocations`; Wethod itself checks the values (hours 1..8)."""

    person_id: int
    project_id: int
    date: date
    hours: int


class WhitelistEntry(WethodResource):
    """A person on a project's timesheet whitelist."""

    project_id: int
    person_id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Person(WethodResource):
    name: str = ""
    surname: str = ""
    email: str | None = None
    role: str | None = None
    role_id: int | None = None
    is_archived: bool = False
    updated_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.surname}".strip()


class Project(WethodResource):
    name: str
    job_order: str | None = None
    pm_id: int | None = None
    account_id: int | None = None
    is_archived: bool = False
    is_timesheet_whitelist_enabled: bool | None = None
    updated_at: datetime | None = None
