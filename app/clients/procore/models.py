"""Pydantic models of the Procore resources Staffdesk reads and writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator


class _Resource(BaseModel):
    # Procore types some identifiers as integers in answers and strings in requests (origin_id).
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class Contact(_Resource):
    """The contact of a project person in the normal and extended views."""

    is_active: bool | None = None
    email: str | None = None


class ProjectPerson(_Resource):
    """A person in a project's directory: a user who can log in, or a reference user.

    The e-mail is `contact.email` in the normal and extended views, a top-level `email` in the web view
    and `email_address` where company users are listed; `email_address` holds whichever came.
    `created_at` comes in the web view only.
    """

    id: int
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    job_title: str | None = None
    employee_id: str | None = None
    origin_id: str | None = None
    is_employee: bool | None = None
    email_address: str | None = Field(default=None, validation_alias=AliasChoices("email_address", "email"))
    contact: Contact | None = None
    work_classification_id: int | None = None
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _email_from_contact(self) -> ProjectPerson:
        if not self.email_address and self.contact is not None and self.contact.email:
            self.email_address = self.contact.email
        return self


def _norm(text: str | None) -> str:
    return (text or "").strip().casefold()


def _same_origin(sent: str, found: str | None) -> bool:
    """Whether an origin id read back is the one sent: the same text, or the same whole number when
    Procore answers it as an integer (`"0042"` and `42`)."""
    if found is None:
        return False
    if _norm(sent) == _norm(found):
        return True
    sent_digits, found_digits = sent.strip(), found.strip()
    return sent_digits.isdigit() and found_digits.isdigit() and int(sent_digits) == int(found_digits)


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

    def matches(
        self, person: ProjectPerson, created_between: tuple[datetime, datetime] | None = None
    ) -> bool:
        """Whether `person` is this one: the same names (trimmed, any case) and employee_id where given,
        and the same origin_id where one was sent.

        When one was sent but the person came back without any, the person counts only with the same job
        title and a `created_at` inside `created_between`, the window in which this one could have been
        created; without a window the origin id alone decides.
        """
        names = (_norm(person.last_name), _norm(person.first_name))
        if names != (_norm(self.last_name), _norm(self.first_name)):
            return False
        if self.employee_id is not None and _norm(person.employee_id) != _norm(self.employee_id):
            return False
        if self.origin_id is None or _same_origin(self.origin_id, person.origin_id):
            return True
        return person.origin_id is None and self._created_alike(person, created_between)

    def _created_alike(self, person: ProjectPerson, window: tuple[datetime, datetime] | None) -> bool:
        if window is None or person.created_at is None or _norm(person.job_title) != _norm(self.job_title):
            return False
        created = person.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return window[0] <= created <= window[1]

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
