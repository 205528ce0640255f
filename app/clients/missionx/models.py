"""MissionX wire models: camelCase aliases, `_id` as `id`, unknown fields ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", alias_generator=to_camel)


class ProjectPerson(_Wire):
    """One entry of `project.people[]`; `person` is an id, or an object when expanded."""

    id: str = Field(alias="_id")
    permission: str
    person: str | dict[str, Any] | None = None
    email: str | None = None
    role: str | None = None
    role_title: str | None = None
    is_project_manager: bool = False
    rate: float | None = None
    rate_time: str | None = None
    invite_pending_since: float | None = None


class NewProjectPerson(_Wire):
    """The body of `POST /projects/{projectId}/people`; `email` and `permission` are required."""

    email: str
    permission: str
    role: str | None = None
    role_title: str | None = None
    is_project_manager: bool = False
    rate: float | None = None
    rate_time: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class Project(_Wire):
    id: str = Field(alias="_id")
    title: str
    project_code: str | None = None
    archived: bool = False
    project_status: str | None = None
    people: list[ProjectPerson] = Field(default_factory=list)

    @field_validator("people", mode="before")
    @classmethod
    def _entries_only(cls, value: Any) -> Any:
        # An unexpanded entry may come as a bare id, which says nothing about the person: leave it out.
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
        return value

    def person_with_email(self, email: str) -> ProjectPerson | None:
        wanted = email.strip().casefold()
        return next((p for p in self.people if (p.email or "").strip().casefold() == wanted), None)


class OrgRole(_Wire):
    id: str = Field(alias="_id")
    title: str
    custom_id: str | None = None


class OrgPerson(_Wire):
    """One entry of the org's people; `person` is an id, or an object when expanded."""

    id: str = Field(alias="_id")
    person: str | dict[str, Any] | None = None
    email: str
    permission: str | None = None
    role: str | None = None
    role_title: str | None = None
    archived: bool = False

    @property
    def name(self) -> str | None:
        """The person's full name when the person was expanded with `firstName`/`lastName`."""
        if not isinstance(self.person, dict):
            return None
        parts = [self.person.get("firstName"), self.person.get("lastName")]
        words = [part.strip() for part in parts if isinstance(part, str) and part.strip()]
        return " ".join(words) or None


class Page(_Wire):
    """The list envelope: `{value, nextLink}`; `nextLink` is missing or empty on the last page."""

    value: list[dict[str, Any]] = Field(default_factory=list)
    next_link: str | None = None
