"""The Slack outbox, worker heartbeats, and one request per Slack submission.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import JsonType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("submission_key", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_requests_submission_key", ["submission_key"])
    op.create_table(
        "slack_notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("detail", JsonType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("progress", JsonType, nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("given_up_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_slack_notices_open", "slack_notices", ["sent_at", "given_up_at", "next_attempt_at"])
    op.create_index("ix_slack_notices_request", "slack_notices", ["request_id", "id"])
    op.create_table(
        "workers",
        sa.Column("worker_id", sa.String(64), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("beat_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_index("ix_slack_notices_request", "slack_notices")
    op.drop_index("ix_slack_notices_open", "slack_notices")
    op.drop_table("slack_notices")
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint("uq_requests_submission_key", type_="unique")
        batch.drop_column("submission_key")
