"""Reminders and escalations claimed once, and approvers away with their delegates.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_nudges",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "absences",
        sa.Column("slack_user_id", sa.String(32), primary_key=True),
        sa.Column("delegate_id", sa.String(32), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("absences")
    op.drop_table("approval_nudges")
