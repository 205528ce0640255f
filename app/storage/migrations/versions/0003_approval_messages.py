"""Where each approver was asked.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_messages",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), primary_key=True),
        sa.Column("approver_id", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
    )
    op.create_index("ix_requests_status_created", "requests", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_requests_status_created", "requests")
    op.drop_table("approval_messages")
