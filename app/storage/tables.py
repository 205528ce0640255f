"""Typed SQLAlchemy 2 tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class RequestRow(Base):
    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    requester_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    approvers: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submission_key: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    lacking: Mapped[list[str] | None] = mapped_column(JsonType)
    asked_payload: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    amends: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    amends_id: Mapped[str | None] = mapped_column(String(36), index=True)
    amended_by: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_requests_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_requests_status_lease", "status", "lease_expires_at"),
        Index("ix_requests_status_created", "status", "created_at"),
        UniqueConstraint("submission_key", name="uq_requests_submission_key"),
    )


class AuditRow(Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)


class DeliveryAttemptRow(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)


class UserLinkRow(Base):
    """A Slack user's person in one upstream, found by e-mail."""

    __tablename__ = "user_links"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    upstream: Mapped[str] = mapped_column(String(20), primary_key=True)
    upstream_person_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PostedSummaryRow(Base):
    """One daily summary per day and channel: claimed under a lease, then marked posted."""

    __tablename__ = "posted_summaries"

    summary_date: Mapped[date] = mapped_column(Date, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ts: Mapped[str | None] = mapped_column(String(32))


class DirectoryPersonRow(Base):
    __tablename__ = "directory_people"

    upstream: Mapped[str] = mapped_column(String(20), primary_key=True)
    upstream_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str | None] = mapped_column(String(255))
    archived: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    search_text: Mapped[str] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_directory_people_email", "upstream", "email"),
        Index("ix_directory_people_search", "upstream", "archived", "search_text"),
    )


class DirectoryProjectRow(Base):
    __tablename__ = "directory_projects"

    upstream: Mapped[str] = mapped_column(String(20), primary_key=True)
    upstream_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    job_order: Mapped[str | None] = mapped_column(String(255))
    pm_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(64))
    manager_ids: Mapped[list[str]] = mapped_column(JsonType)
    archived: Mapped[bool] = mapped_column(Boolean)
    whitelist_enabled: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    search_text: Mapped[str] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_directory_projects_search", "upstream", "archived", "search_text"),)


class DirectoryListedRow(Base):
    """The ids one refresh listed, one row per stored chunk.

    An entry whose content did not change is not rewritten and keeps its `synced_at`; a full refresh's
    clean-up counts it as listed when a row here names it at or after the refresh's start.
    """

    __tablename__ = "directory_listed"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    upstream: Mapped[str] = mapped_column(String(20))
    part: Mapped[str] = mapped_column(String(20))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    upstream_ids: Mapped[list[str]] = mapped_column(JsonType)

    __table_args__ = (Index("ix_directory_listed_synced", "upstream", "part", "synced_at"),)


class DirectorySyncRow(Base):
    """How far one upstream's directory has been refreshed; and `content_version`, raised by every write
    that changes its people or projects, in that write's transaction, and by nothing else."""

    __tablename__ = "directory_sync"

    upstream: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_full_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    people_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime())
    projects_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    content_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApprovalMessageRow(Base):
    """Where each approver was asked, so every copy of the question can show the decision."""

    __tablename__ = "approval_messages"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    approver_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))


class DigestSubscriptionRow(Base):
    """A PM who asked for a daily direct message with their projects' day."""

    __tablename__ = "digest_subscriptions"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackNoticeRow(Base):
    """The Slack outbox: messages owed for a request's changes, written in the change's transaction."""

    __tablename__ = "slack_notices"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    progress: Mapped[dict[str, str]] = mapped_column(JsonType)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_slack_notices_open", "sent_at", "given_up_at", "next_attempt_at"),
        Index("ix_slack_notices_request", "request_id", "id"),
    )


class WorkerRow(Base):
    """Each running worker's heartbeat: a lease held by a worker that stopped beating may be taken over."""

    __tablename__ = "workers"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApprovalNudgeRow(Base):
    """Each reminder and escalation of a pending request, once: writing the row claims it, so replicas
    that find it due at the same moment send it once."""

    __tablename__ = "approval_nudges"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AbsenceRow(Base):
    """An approver away from `starts` to `ends` (company days), and who decides in their place."""

    __tablename__ = "absences"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    delegate_id: Mapped[str] = mapped_column(String(32))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
