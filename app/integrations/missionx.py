"""MissionX adapters: add a person to a project, and the directory source."""

from __future__ import annotations

from datetime import datetime

from app.clients.errors import UpstreamError
from app.clients.missionx.client import MissionXClient
from app.clients.missionx.models import NewProjectPerson, Project
from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome
from app.domain.requests import MissionXProjectPersonPayload, StaffingRequest
from app.domain.upstreams import Upstream
from app.domain.words import said
from app.integrations.outcomes import outcome_for_error, unavailable

MANAGING_PERMISSIONS = {"manager", "admin"}


class MissionXPersonProvisioner:
    def __init__(self, client: MissionXClient) -> None:
        self._client = client

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        payload = request.payload
        assert isinstance(payload, MissionXProjectPersonPayload)
        new = NewProjectPerson(
            email=payload.email,
            permission=payload.permission.value,
            role=payload.role,
            role_title=payload.role_title,
            is_project_manager=payload.is_project_manager,
            rate=payload.rate,
            rate_time=payload.rate_time.value if payload.rate_time else None,
        )
        try:
            result = await self._client.add_project_person(payload.project_id, new, look_first=attempt > 1)
        except UpstreamError as error:
            return outcome_for_error(error, Upstream.MISSIONX)
        summary = said(
            "{email} was added to the MissionX project with {access}.",
            email=payload.email,
            access=payload.permission.words,
        )
        if result.recovered:
            return AlreadyDone(upstream_ids=(result.value.id,), summary=summary)
        return Delivered(upstream_ids=(result.value.id,), summary=summary)


def _person_id(person: str | dict[str, object] | None) -> str | None:
    if isinstance(person, dict):
        found = person.get("_id") or person.get("id")
        return str(found) if found else None
    return person


def managers_of(project: Project) -> tuple[str, ...]:
    """Who manages a MissionX project: its project managers and its managers or admins, by person id."""
    found = [
        _person_id(p.person)
        for p in project.people
        if p.is_project_manager or p.permission in MANAGING_PERMISSIONS
    ]
    return tuple(sorted({f for f in found if f}))


class MissionXDirectorySource:
    """MissionX org people and projects, read in full: its listings offer no reliable `since`.

    Projects are read with `expand=people`, the only way their people (and so their managers) come.
    """

    upstream = Upstream.MISSIONX
    incremental = False

    def __init__(self, client: MissionXClient) -> None:
        self._client = client

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        try:
            people = await self._client.list_org_people()
        except UpstreamError as error:
            raise unavailable(error, Upstream.MISSIONX) from None
        return [
            DirectoryPerson(
                upstream=Upstream.MISSIONX,
                upstream_id=_person_id(p.person) or p.id,
                name=p.name or p.email or p.id,
                email=p.email,
                role=p.role_title or p.permission,
                archived=p.archived,
            )
            for p in people
        ]

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        try:
            projects = await self._client.list_projects(expand_people=True)
        except UpstreamError as error:
            raise unavailable(error, Upstream.MISSIONX) from None
        return [
            DirectoryProject(
                upstream=Upstream.MISSIONX,
                upstream_id=p.id,
                name=p.title,
                job_order=p.project_code,
                manager_ids=managers_of(p),
                archived=p.archived,
            )
            for p in projects
        ]


async def probe_missionx(client: MissionXClient) -> tuple[bool, str]:
    """One cheap read, for `staffdesk check`."""
    try:
        roles = await client.list_roles()
    except UpstreamError as error:
        return False, f"MissionX: {error}"
    return True, f"MissionX: connected; the organization has {len(roles)} roles"
