"""Undo and change: the request an amendment amends, what it may touch, and the amendment of a request.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import JsonType

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("amends", JsonType, nullable=True))
        batch.add_column(sa.Column("amends_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("amended_by", sa.String(36), nullable=True))
        batch.create_index("ix_requests_amends_id", ["amends_id"])


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_index("ix_requests_amends_id")
        batch.drop_column("amended_by")
        batch.drop_column("amends_id")
        batch.drop_column("amends")
