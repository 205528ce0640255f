"""The Procore simulator's data: projects, project people, company users, work classifications, tokens."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.sandbox.core import IssuedTokens
from app.sandbox.demo import DemoCompany, DemoPerson, demo_company

PROCORE_SANDBOX_CLIENT_ID = "staffdesk-sandbox-procore"
PROCORE_SANDBOX_CLIENT_SECRET = "sandbox-procore-secret"  # noqa: S105 (a well-known local value)
PROCORE_SANDBOX_COMPANY_ID = 4_280_117
PROCORE_SANDBOX_COMPANY_NAME = "Acme Builders"

# Procore ids may exceed 32 bits (research: store them as int64), so the sandbox's do too.
PROJECT_ID_BASE = 2**32
USER_ID_BASE = 3_000_000_000
FIRST_PERSON_ID = 9_000_000_001

_WORK_CLASSIFICATIONS = [
    (101, "Project Manager", "PM"),
    (102, "Carpenter", "CARP"),
    (103, "Electrician", "ELEC"),
    (104, "Laborer", "LAB"),
]

Record = dict[str, Any]


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user(person: DemoPerson, created_at: str) -> Record:
    return {
        "id": USER_ID_BASE + person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "name": f"{person.first_name} {person.last_name}",
        "initials": f"{person.first_name[0]}{person.last_name[0]}",
        "email_address": person.email,
        "job_title": person.job_title,
        "is_active": True,
        "is_employee": True,
        "employee_id": f"E{person.id:04d}",
        "created_at": created_at,
        "updated_at": created_at,
    }


@dataclass
class ProcoreState:
    """Everything one Procore company holds; `reseed()` brings back the demo data."""

    company: DemoCompany = field(default_factory=demo_company)
    company_id: int = PROCORE_SANDBOX_COMPANY_ID
    clock: Callable[[], float] = time.time
    projects: list[Record] = field(default_factory=list)
    people: dict[int, list[Record]] = field(default_factory=dict)
    users: list[Record] = field(default_factory=list)
    work_classifications: list[Record] = field(default_factory=list)
    tokens: IssuedTokens = field(default_factory=IssuedTokens)
    next_person_id: int = FIRST_PERSON_ID

    def __post_init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        """Demo projects (with their PM in the directory), demo people as users; issued tokens stay valid."""
        created = _stamp(self.company.created_at.timestamp())
        self.users = [_user(person, created) for person in self.company.people]
        self.work_classifications = [
            {"id": wc_id, "name": name, "abbreviation": short, "company_id": self.company_id}
            for wc_id, name, short in _WORK_CLASSIFICATIONS
        ]
        self.projects = []
        self.people = {}
        self.next_person_id = FIRST_PERSON_ID
        for demo in self.company.projects:
            project_id = PROJECT_ID_BASE + demo.id
            self.projects.append(
                {
                    "id": project_id,
                    "name": demo.name,
                    "display_name": f"{demo.job_order} - {demo.name}",
                    "project_number": demo.job_order,
                    "active": not demo.archived,
                    "origin_id": None,
                    "start_date": demo.start.isoformat(),
                    "company": {"id": self.company_id, "name": PROCORE_SANDBOX_COMPANY_NAME},
                    "created_at": created,
                    "updated_at": created,
                }
            )
            self.people[project_id] = []
            self._add_directory_user(project_id, self.company.person(demo.pm_id))

    def _add_directory_user(self, project_id: int, person: DemoPerson) -> None:
        user = next(u for u in self.users if u["email_address"] == person.email)
        fields = {k: user[k] for k in ("first_name", "last_name", "job_title", "employee_id", "is_employee")}
        record = self.add_person(project_id, {**fields, "work_classification_id": 101})
        record.update(user_id=user["id"], email=person.email, reference_user=False)

    def issue_token(self, lifetime_seconds: int) -> Record:
        now = self.clock()
        token = self.tokens.issue(now + lifetime_seconds, prefix="sim-", nbytes=24)
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": lifetime_seconds,
            "created_at": int(now),
        }

    def token_valid(self, token: str | None) -> bool:
        return self.tokens.valid(token, self.clock())

    def project(self, project_id: int) -> Record | None:
        return next((p for p in self.projects if p["id"] == project_id), None)

    def work_classification(self, wc_id: int) -> Record | None:
        return next((w for w in self.work_classifications if w["id"] == wc_id), None)

    def add_person(self, project_id: int, fields: Record) -> Record:
        """Store a reference user in a project's directory (names may repeat, as in Procore)."""
        now = _stamp(self.clock())
        record: Record = {
            "id": self.next_person_id,
            "first_name": fields.get("first_name"),
            "last_name": fields["last_name"],
            "is_employee": bool(fields.get("is_employee", False)),
            "employee_id": fields.get("employee_id"),
            "origin_id": fields.get("origin_id"),
            "job_title": fields.get("job_title"),
            "work_classification_id": fields.get("work_classification_id"),
            "user_id": None,
            "email": None,
            "reference_user": True,
            "created_at": now,
            "updated_at": now,
        }
        self.next_person_id += 1
        self.people[project_id].append(record)
        return record

    def render_person(self, record: Record, view: str) -> Record:
        """A person as the `normal`, `extended` or `web` view shows it."""
        keys = ("id", "first_name", "last_name", "is_employee", "employee_id", "user_id", "origin_id")
        shown: Record = {key: record[key] for key in keys}
        shown.update(
            user_uuid=None,
            work_classification_id=record["work_classification_id"],
            contact={"is_active": True, "email": record["email"]},
        )
        if view == "normal":
            return shown
        wc = self.work_classification(record["work_classification_id"] or 0)
        shown.update(work_classification={"id": wc["id"], "name": wc["name"]} if wc else None, vendor=None)
        if view == "extended":
            return shown
        first, last = record["first_name"] or "", record["last_name"]
        shown.update(
            {key: record[key] for key in ("job_title", "email", "reference_user", "created_at", "updated_at")}
        )
        shown["initials"] = f"{first[:1]}{last[:1]}".upper()
        return shown
