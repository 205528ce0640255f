"""Requests, audit trail, delivery attempts, user links and posted summaries.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.storage.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_entries_{verb}_refused BEFORE {verb} ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
"""
_POSTGRES_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$
    """,
    """
    CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
    """,
]


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("approvers", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("decision_reason", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_expires_at", UTCDateTime()),
        sa.Column("result", Json),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_requests_requester_id", "requests", ["requester_id"])
    op.create_index("ix_requests_status_next_attempt", "requests", ["status", "next_attempt_at"])
    op.create_index("ix_requests_status_lease", "requests", ["status", "lease_expires_at"])

    op.create_table(
        "audit_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("detail", Json, nullable=False),
    )
    op.create_index("ix_audit_entries_request_id", "audit_entries", ["request_id"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", Json, nullable=False),
    )
    op.create_index("ix_delivery_attempts_request_id", "delivery_attempts", ["request_id"])

    op.create_table(
        "user_links",
        sa.Column("slack_user_id", sa.String(32), primary_key=True),
        sa.Column("upstream", sa.String(20), primary_key=True),
        sa.Column("upstream_person_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "posted_summaries",
        sa.Column("summary_date", sa.Date(), primary_key=True),
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("lease_expires_at", UTCDateTime()),
        sa.Column("posted_at", UTCDateTime()),
        sa.Column("message_ts", sa.String(32)),
    )

    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_APPEND_ONLY:
            op.execute(statement)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(_SQLITE_APPEND_ONLY.format(verb=verb))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    for table in ("posted_summaries", "user_links", "delivery_attempts", "audit_entries", "requests"):
        op.drop_table(table)
