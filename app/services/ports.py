"""The Protocols the services need; storage and integrations implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypedDict

from app.domain.absences import Absence
from app.domain.audit import AuditEntry, DeliveryAttempt
from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState
from app.domain.links import UserLink
from app.domain.notices import Notice, NoticeKind
from app.domain.outcomes import DeliveryOutcome
from app.domain.requests import NewRequest, StaffingRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream

Clock = Callable[[], datetime]


class RequestChanges(TypedDict, total=False):
    """Fields a transition may set besides the status."""

    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    result: dict[str, object] | None
    attempts: int
    payload: dict[str, object]
    asked_payload: dict[str, object] | None


class RequestRepository(Protocol):
    async def add(
        self,
        new: NewRequest,
        *,
        status: RequestStatus,
        actor: str,
        now: datetime,
        detail: Mapping[str, object] | None = None,
    ) -> StaffingRequest:
        """Store a new request in its first state and write its first audit entry; DuplicateSubmission
        when a request with the same `submission_key` is already stored."""
        ...

    async def get(self, request_id: str) -> StaffingRequest:
        """The request as stored now; RequestNotFound if there is none."""
        ...

    async def by_submission_key(self, submission_key: str) -> StaffingRequest | None:
        """The request stored from this Slack submission, if any."""
        ...

    async def add_approvers(
        self,
        request_id: str,
        added: Sequence[str],
        *,
        actor: str,
        action: str,
        now: datetime,
        detail: Mapping[str, object],
    ) -> StaffingRequest:
        """Ask more approvers while the request is pending; raises RequestMovedOn once it is not."""
        ...

    async def record(
        self, request_id: str, *, actor: str, action: str, now: datetime, detail: Mapping[str, object]
    ) -> None:
        """A line in the audit trail for something that did not change the request's state."""
        ...

    async def transition(
        self,
        request_id: str,
        *,
        expected: RequestStatus,
        target: RequestStatus,
        actor: str,
        action: str,
        now: datetime,
        detail: Mapping[str, object] | None = None,
        changes: RequestChanges | None = None,
        lease_owner: str | None = None,
    ) -> StaffingRequest:
        """Compare-and-set the status (and the lease owner when given), with an audit entry.

        Raises IllegalTransition, RequestNotFound, RequestMovedOn, or LeaseLost.
        """
        ...

    async def claim_due(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int, stale_after: timedelta
    ) -> list[StaffingRequest]:
        """Lease approved requests that are due, and delivering ones whose lease has expired or whose
        holder has not beaten for `stale_after`."""
        ...

    async def pending_created_before(self, cutoff: datetime) -> list[StaffingRequest]:
        """Requests still waiting for approval that were submitted at or before `cutoff`."""
        ...

    async def set_message(self, request_id: str, channel_id: str, message_ts: str) -> None:
        """Remember where the request's own message is, to update it in place."""
        ...

    async def add_approval_message(
        self, request_id: str, approver_id: str, channel_id: str, ts: str
    ) -> None: ...

    async def approval_messages(self, request_id: str) -> list[tuple[str, str, str]]: ...

    async def requested_by(self, requester_id: str, *, limit: int = 20) -> list[StaffingRequest]: ...

    async def waiting_for(self, approver_id: str) -> list[StaffingRequest]: ...

    async def finished_between(self, start: datetime, end: datetime) -> list[StaffingRequest]: ...

    async def pending(self) -> list[StaffingRequest]: ...

    async def renew_lease(self, request_id: str, *, worker: str, now: datetime, lease: timedelta) -> bool:
        """Extend the worker's lease; False when the worker no longer holds it."""
        ...

    async def record_attempt(self, attempt: DeliveryAttempt) -> None: ...

    async def audit_trail(self, request_id: str) -> list[AuditEntry]: ...

    async def delivery_attempts(self, request_id: str) -> list[DeliveryAttempt]: ...


class NoticeRepository(Protocol):
    """The Slack outbox: what Slack must be told, stored with the change that calls for it."""

    async def add(
        self, request_id: str, kind: NoticeKind, *, now: datetime, detail: Mapping[str, object] | None = None
    ) -> None: ...

    async def claim_due(
        self,
        *,
        worker: str,
        now: datetime,
        lease: timedelta,
        stale_after: timedelta,
        limit: int,
        request_id: str | None = None,
    ) -> list[Notice]:
        """Lease due notices, each only once every earlier notice of its request is done."""
        ...

    async def save_progress(self, notice_id: int, worker: str, progress: Mapping[str, str]) -> None: ...

    async def mark_sent(self, notice_id: int, worker: str, now: datetime) -> None: ...

    async def retry_later(self, notice_id: int, worker: str, at: datetime, error: str) -> None: ...

    async def give_up(self, notice_id: int, worker: str, now: datetime, error: str) -> None: ...

    async def unsent(self, request_id: str | None = None) -> list[Notice]: ...


class WorkerRepository(Protocol):
    async def beat(self, worker: str, now: datetime) -> None:
        """Record that `worker` is alive now."""
        ...

    async def alive(self, now: datetime, stale_after: timedelta) -> list[str]: ...


class DirectoryRepository(Protocol):
    async def upsert_people(self, people: Sequence[DirectoryPerson], *, now: datetime) -> int:
        """Returns how many were written: those whose content changed."""
        ...

    async def upsert_projects(self, projects: Sequence[DirectoryProject], *, now: datetime) -> int:
        """Returns how many were written: those whose content changed."""
        ...

    async def remove_not_synced_since(self, upstream: Upstream, since: datetime) -> int:
        """Returns how many entries were removed."""
        ...

    async def search_people(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryPerson]: ...

    async def search_projects(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryProject]: ...

    async def get_project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None: ...

    async def get_people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]: ...

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None: ...

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]: ...

    async def all_people(self, upstream: Upstream) -> list[DirectoryPerson]: ...

    async def all_projects(self, upstream: Upstream) -> list[DirectoryProject]: ...

    async def people_page(self, upstream: Upstream, after: str | None, limit: int) -> list[DirectoryPerson]:
        """At most `limit` of `upstream`'s people, by upstream id, from the first after `after`."""
        ...

    async def projects_page(
        self, upstream: Upstream, after: str | None, limit: int
    ) -> list[DirectoryProject]:
        """At most `limit` of `upstream`'s projects, by upstream id, from the first after `after`."""
        ...

    async def content_version(self, upstream: Upstream) -> int:
        """A number that changes with every write that changes `upstream`'s people or projects, in the
        same transaction, and only then (0 before any)."""
        ...

    async def sync_state(self, upstream: Upstream) -> SyncState | None: ...

    async def save_sync_state(self, state: SyncState) -> None: ...


class LinkRepository(Protocol):
    async def get(self, slack_user_id: str, upstream: Upstream) -> UserLink | None: ...

    async def save(self, link: UserLink) -> None: ...

    async def delete(self, slack_user_id: str, upstream: Upstream) -> None: ...


class SummaryRepository(Protocol):
    async def claim(
        self, day: date, destination: str, *, worker: str, now: datetime, lease: timedelta
    ) -> bool: ...

    async def mark_posted(
        self, day: date, destination: str, *, worker: str, now: datetime, ts: str
    ) -> None: ...

    async def posted_at(self, day: date, destination: str) -> datetime | None: ...

    async def last_posted_before(self, day: date, destination: str) -> datetime | None: ...

    async def set_digest(self, slack_user_id: str, enabled: bool, now: datetime) -> None: ...

    async def digest_subscribers(self) -> list[str]: ...


class NudgeRepository(Protocol):
    async def claim(self, request_id: str, kind: str, number: int, at: datetime) -> bool:
        """Whether this caller is the first to claim the `number`-th `kind` nudge of the request."""
        ...

    async def taken(self, request_ids: Sequence[str]) -> set[tuple[str, str, int]]: ...


class AbsenceRepository(Protocol):
    async def set(self, absence: Absence, at: datetime) -> None: ...

    async def end(self, slack_user_id: str) -> Absence | None: ...

    async def of(self, slack_user_ids: Sequence[str]) -> list[Absence]: ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on exit unless committed."""

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def directory(self) -> DirectoryRepository: ...

    @property
    def links(self) -> LinkRepository: ...

    @property
    def summaries(self) -> SummaryRepository: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def workers(self) -> WorkerRepository: ...

    @property
    def nudges(self) -> NudgeRepository: ...

    @property
    def absences(self) -> AbsenceRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class RequestLookup(Protocol):
    """One stored request by id, read on its own (no unit of work); RequestNotFound when there is none."""

    async def __call__(self, request_id: str) -> StaffingRequest: ...


class DirectorySource(Protocol):
    """One upstream's people and projects, as the directory keeps them."""

    @property
    def upstream(self) -> Upstream: ...

    @property
    def incremental(self) -> bool:
        """True when `since` is honoured; otherwise every fetch returns everything."""
        ...

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]: ...

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]: ...


class SlackPeople(Protocol):
    """What the services need to know about people in Slack."""

    async def email_of(self, slack_user_id: str) -> str | None:
        """The user's e-mail (users.info, scope users:read.email); None when Slack does not share it."""
        ...

    async def user_by_email(self, email: str) -> str | None:
        """The Slack user with this e-mail (users.lookupByEmail), or None."""
        ...

    async def usergroup_members(self, handle: str) -> frozenset[str]:
        """The Slack user ids in the user group with this handle (without the @)."""
        ...


@dataclass(frozen=True)
class DayAllocation:
    person_id: int
    project_id: int
    hours: int


class AllocationReader(Protocol):
    """Allocations already in the upstream: a person's hours per day, and everyone's on one day."""

    async def hours_by_day(self, person_id: int, days: Sequence[date]) -> dict[date, int]: ...

    async def allocations_on(self, day: date) -> list[DayAllocation]: ...


class Provisioner(Protocol):
    """Hands one approved request to its upstream and says what came of it."""

    async def provision(self, request: StaffingRequest, *, attempt: int) -> DeliveryOutcome:
        """Deliver `request`; `attempt` > 1 means an earlier try may have reached the upstream."""
        ...
