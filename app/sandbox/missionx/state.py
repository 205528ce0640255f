"""The MissionX simulator's organisation in memory: roles, people, projects with people, issued tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.sandbox.core import IssuedTokens
from app.sandbox.demo import DemoCompany, DemoPerson

MISSIONX_SANDBOX_CLIENT_ID = "staffdesk-sandbox-client"
MISSIONX_SANDBOX_CLIENT_SECRET = "staffdesk-sandbox-secret"  # noqa: S105 (the sandbox's own, public)
MISSIONX_SANDBOX_ORG_ID = "65f1c0de00000000000000a1"

PERMISSIONS = ("member", "manager", "admin", "observer")
RATE_TIMES = ("oneTime", "recurring", "hourly", "daily", "weekly", "monthly", "yearly")
_ORG_PERMISSIONS = {"Project Manager": "projectManager", "Resource Manager": "manager"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
ASSUMED_HEADER = "X-Sandbox-Assumed"


class Refusal(Exception):
    """An answer other than 200, always with the documented `{message, code, data}` body.

    `assumed` says why an answer the MissionX reference does not show is given anyway; it goes out in
    the `X-Sandbox-Assumed` header. The `code` values are all the sandbox's own: the reference lists none.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        data: dict[str, Any] | None = None,
        *,
        retry_after: int | None = None,
        assumed: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "code": code, "data": data or {}}
        self.retry_after = retry_after
        self.assumed = assumed

    def headers(self) -> dict[str, str]:
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        if self.assumed:
            headers[ASSUMED_HEADER] = self.assumed
        return headers


def _is_rate(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


# (field, required, accepts, message). The docs name the fields and their enums but no error codes.
_RULES: list[tuple[str, bool, Callable[[Any], bool], str]] = [
    ("permission", True, lambda v: v in PERMISSIONS, f"must be one of {', '.join(PERMISSIONS)}"),
    ("email", True, lambda v: isinstance(v, str) and bool(_EMAIL.fullmatch(v)), "must be an e-mail address"),
    ("roleTitle", False, lambda v: isinstance(v, str), "must be a string"),
    ("isProjectManager", False, lambda v: isinstance(v, bool), "must be true or false"),
    ("rate", False, _is_rate, "must be a number of at least 0"),
    ("rateTime", False, lambda v: v in RATE_TIMES, f"must be one of {', '.join(RATE_TIMES)}"),
]


def person_failures(body: dict[str, Any], role_ids: set[str]) -> dict[str, str]:
    """Field -> message for every rule of the create-person body that `body` breaks."""
    failures: dict[str, str] = {}
    for name, required, accepts, message in _RULES:
        value = body.get(name)
        if value is None:
            if required:
                failures[name] = "is required"
        elif not accepts(value):
            failures[name] = message
    role = body.get("role")
    if role is not None and role not in role_ids:
        failures["role"] = "must be the _id of an org role"
    return failures


class ObjectIds:
    """24-hex ids, the same sequence after every reseed so that seeded ids stay put."""

    def __init__(self, epoch: int) -> None:
        self._epoch = epoch
        self._count = 0

    def next(self) -> str:
        self._count += 1
        return f"{self._epoch:08x}{self._count:016x}"


@dataclass
class MissionXState:
    company: DemoCompany
    client_id: str
    client_secret: str
    org_id: str
    token_lifetime_seconds: int
    clock: Callable[[], float]
    roles: list[dict[str, Any]] = field(default_factory=list)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    org_people: list[dict[str, Any]] = field(default_factory=list)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: IssuedTokens = field(default_factory=IssuedTokens)
    notified: list[str] = field(default_factory=list)
    ids: ObjectIds = field(init=False)

    def __post_init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        """Back to the demo company; issued tokens stay valid."""
        self.ids = ObjectIds(int(self.company.created_at.timestamp()))
        self.notified.clear()
        titles = dict.fromkeys(person.role for person in self.company.people)
        self.roles = [{"_id": self.ids.next(), "customId": _slug(t), "title": t} for t in titles]
        self.persons, self.org_people = {}, []
        for person in self.company.people:
            self._seed_org_person(person)
        self.projects = {}
        for project in self.company.projects:
            project_id = self.ids.next()
            pm = self.company.person(project.pm_id)
            self.projects[project_id] = {
                "_id": project_id,
                "title": project.name,
                "projectCode": project.job_order,
                "archived": project.archived,
                "projectStatus": "completed" if project.archived else "open",
                "startDate": f"{project.start.isoformat()}T00:00:00.000Z",
                "people": [self._entry(pm.email, "manager", self.role_id(pm.role), pm.job_title, True)],
            }

    def _seed_org_person(self, demo: DemoPerson) -> None:
        person_id = self.ids.next()
        self.persons[person_id] = {
            "_id": person_id,
            "firstName": demo.first_name,
            "lastName": demo.last_name,
            "email": demo.email,
        }
        self.org_people.append(
            {
                "_id": self.ids.next(),
                "person": person_id,
                "email": demo.email,
                "permission": _ORG_PERMISSIONS.get(demo.role, "member"),
                "role": self.role_id(demo.role),
                "roleTitle": demo.job_title,
                "archived": False,
            }
        )

    def role_id(self, title: str) -> str:
        return str(next(role["_id"] for role in self.roles if role["title"] == title))

    def issue_token(self) -> str:
        return self.tokens.issue(self.clock() + self.token_lifetime_seconds)

    def token_valid(self, token: str | None) -> bool:
        return self.tokens.valid(token, self.clock())

    def project(self, project_id: str) -> dict[str, Any]:
        found = self.projects.get(project_id)
        if found is None:
            raise Refusal(
                404,
                "not_found",
                "no project with this id",
                {"projectId": project_id},
                assumed="404 is not documented; an unknown project id is refused with it",
            )
        return found

    def add_project_person(self, project_id: str, body: Any, *, notify: bool) -> dict[str, Any]:
        """Validate and append one project person; the entry as the API returns it."""
        project = self.project(project_id)
        if not isinstance(body, dict):
            raise Refusal(400, "invalid_body", "the body must be a JSON object")
        failures = person_failures(body, {role["_id"] for role in self.roles})
        if failures:
            raise Refusal(400, "validation_failed", "the project person is not valid", failures)
        email: str = body["email"]
        if any(p["email"].casefold() == email.casefold() for p in project["people"]):
            message = "this e-mail is already a person of the project"
            why = "the reference does not say how a duplicate e-mail is answered"
            raise Refusal(400, "duplicate_email", message, {"field": "email"}, assumed=why)
        entry = self._entry(email, body["permission"], body.get("role"), body.get("roleTitle"), False)
        given = ("isProjectManager", "rate", "rateTime")
        entry.update({name: body[name] for name in given if body.get(name) is not None})
        project["people"].append(entry)
        if notify:
            self.notified.append(email)
        return entry

    def _entry(
        self, email: str, permission: str, role: str | None, title: str | None, is_pm: bool
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"_id": self.ids.next(), "permission": permission, "email": email}
        member = next((p for p in self.org_people if p["email"].casefold() == email.casefold()), None)
        if member is None:
            entry["person"] = self.ids.next()
            self.persons[entry["person"]] = {"_id": entry["person"], "email": email}
            entry["invitePendingSince"] = int(self.clock() * 1000)
        else:
            entry["person"] = member["person"]
        optional = {"role": role, "roleTitle": title}
        entry.update({k: v for k, v in optional.items() if v is not None})
        entry.update({"isProjectManager": is_pm, "praise": 0})
        return entry

    def expanded(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A copy of a people entry with `person` replaced by the person document."""
        return {**entry, "person": self.persons.get(entry["person"], entry["person"])}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
