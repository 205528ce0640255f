"""Directory entries rewritten only when they change: a content hash per entry, and the ids each refresh
listed (an unchanged entry keeps its older `synced_at`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import JsonType, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("directory_people", "directory_projects"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("content_hash", sa.String(32), nullable=True))
    op.create_table(
        "directory_listed",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("upstream", sa.String(20), nullable=False),
        sa.Column("part", sa.String(20), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        sa.Column("upstream_ids", JsonType, nullable=False),
    )
    op.create_index("ix_directory_listed_synced", "directory_listed", ["upstream", "part", "synced_at"])


def downgrade() -> None:
    op.drop_index("ix_directory_listed_synced", "directory_listed")
    op.drop_table("directory_listed")
    for table in ("directory_projects", "directory_people"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("content_hash")
