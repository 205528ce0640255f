"""Pydantic models of the Procore resources Staffdesk reads and writes."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class _Resource(BaseModel):
    # Procore types some identifiers as integers in answers and strings in requests (origin_id).
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class ProjectPerson(_Resource):
    """A person in a project's directory: a user who can log in, or a reference user."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    job_title: str | None = None
    employee_id: str | None = None
    origin_id: str | None = None
    is_employee: bool | None = None
    email_address: str | None = Field(default=None, validation_alias=AliasChoices("email_address", "email"))
    work_classification_id: int | None = None


class NewProjectPerson(BaseModel):
    """A reference user to add to a project; `last_name` is the one field Procore requires."""

    model_config = ConfigDict(extra="ignore")

    last_name: str
    first_name: str | None = None
    job_title: str | None = None
    employee_id: str | None = None
    origin_id: str | None = None
    is_employee: bool = False
    work_classification_id: int | None = None

    def matches(self, person: ProjectPerson) -> bool:
        """Whether `person` is this one: same names (trimmed, any case), and the same employee_id and
        origin_id where these are given."""

        def norm(text: str | None) -> str:
            return (text or "").strip().casefold()

        return (
            norm(person.last_name) == norm(self.last_name)
            and norm(person.first_name) == norm(self.first_name)
            and (self.employee_id is None or norm(person.employee_id) == norm(self.employee_id))
            and (self.origin_id is None or norm(person.origin_id) == norm(self.origin_id))
        )

    def request_body(self) -> dict[str, Any]:
        """The JSON body of the create call: `{"person": {...}}` without the fields left empty."""
        return {"person": self.model_dump(exclude_none=True)}


class Project(_Resource):
    id: int
    name: str
    display_name: str | None = None
    project_number: str | None = None
    active: bool = True
    origin_id: str | None = None


class WorkClassification(_Resource):
    id: int
    name: str
    abbreviation: str | None = None


class CompanyUser(_Resource):
    id: int
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    email_address: str | None = None
    job_title: str | None = None
    is_active: bool = True
    is_employee: bool | None = None
    employee_id: str | None = None
