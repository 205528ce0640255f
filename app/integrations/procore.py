"""Procore adapters: add a (reference) person to a project, and the directory source."""

from __future__ import annotations

from datetime import datetime

from app.clients.errors import UpstreamError
from app.clients.procore.client import ProcoreClient
from app.clients.procore.models import NewProjectPerson
from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome
from app.domain.requests import ProcoreProjectPersonPayload, StaffingRequest
from app.domain.upstreams import Upstream
from app.domain.words import said
from app.integrations.outcomes import outcome_for_error, unavailable


class ProcorePersonProvisioner:
    def __init__(self, client: ProcoreClient) -> None:
        self._client = client

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        payload = request.payload
        assert isinstance(payload, ProcoreProjectPersonPayload)
        new = NewProjectPerson(
            last_name=payload.last_name,
            first_name=payload.first_name,
            job_title=payload.job_title,
            employee_id=payload.employee_id,
            # Without an origin id of its own, the request's id makes a lost answer's lookup exact.
            origin_id=payload.origin_id or f"staffdesk:{request.id}",
            is_employee=payload.is_employee,
            work_classification_id=payload.work_classification_id,
        )
        # An earlier attempt can only have been sent once the request was approved.
        earlier = (request.decided_at or request.created_at) if attempt > 1 else None
        try:
            result = await self._client.create_project_person(
                payload.project_id, new, look_first=attempt > 1, sent_since=earlier
            )
        except UpstreamError as error:
            return outcome_for_error(error, Upstream.PROCORE)
        name = " ".join(filter(None, [payload.first_name, payload.last_name]))
        summary = said("{name} was added to the Procore project's people.", name=name)
        if result.recovered:
            return AlreadyDone(upstream_ids=(str(result.value.id),), summary=summary)
        return Delivered(upstream_ids=(str(result.value.id),), summary=summary)


class ProcoreDirectorySource:
    """Procore company users and projects, read in full."""

    upstream = Upstream.PROCORE
    incremental = False

    def __init__(self, client: ProcoreClient) -> None:
        self._client = client

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        try:
            users = await self._client.list_company_users()
        except UpstreamError as error:
            raise unavailable(error, Upstream.PROCORE) from None
        return [
            DirectoryPerson(
                upstream=Upstream.PROCORE,
                upstream_id=str(u.id),
                name=u.name or " ".join(filter(None, [u.first_name, u.last_name])) or str(u.id),
                email=u.email_address,
                role=u.job_title,
                archived=not u.is_active,
            )
            for u in users
        ]

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        try:
            projects = await self._client.list_projects(include_inactive=True)
        except UpstreamError as error:
            raise unavailable(error, Upstream.PROCORE) from None
        return [
            DirectoryProject(
                upstream=Upstream.PROCORE,
                upstream_id=str(p.id),
                name=p.display_name or p.name,
                job_order=p.project_number,
                archived=not p.active,
            )
            for p in projects
        ]


async def probe_procore(client: ProcoreClient) -> tuple[bool, str]:
    """One cheap read, for `staffdesk check`."""
    try:
        classifications = await client.list_work_classifications()
    except UpstreamError as error:
        return False, f"Procore: {error}"
    return True, f"Procore: connected; the company has {len(classifications)} work classifications"
