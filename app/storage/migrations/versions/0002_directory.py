"""The local directory of upstream people and projects, and its refresh state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.storage.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_people",
        sa.Column("upstream", sa.String(20), primary_key=True),
        sa.Column("upstream_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("role", sa.String(255)),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime()),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_directory_people_email", "directory_people", ["upstream", "email"])
    # Searches scan in this order and stop at their limit: archived last, then by name.
    op.create_index("ix_directory_people_search", "directory_people", ["upstream", "archived", "search_text"])
    op.create_table(
        "directory_projects",
        sa.Column("upstream", sa.String(20), primary_key=True),
        sa.Column("upstream_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("job_order", sa.String(255)),
        sa.Column("pm_id", sa.String(64)),
        sa.Column("account_id", sa.String(64)),
        sa.Column("manager_ids", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("whitelist_enabled", sa.Boolean()),
        sa.Column("updated_at", UTCDateTime()),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_directory_projects_search", "directory_projects", ["upstream", "archived", "search_text"]
    )
    op.create_table(
        "directory_sync",
        sa.Column("upstream", sa.String(20), primary_key=True),
        sa.Column("last_full_at", UTCDateTime()),
        sa.Column("last_run_at", UTCDateTime()),
        sa.Column("people_cursor", UTCDateTime()),
        sa.Column("projects_cursor", UTCDateTime()),
        sa.Column("last_error", sa.Text()),
    )


def downgrade() -> None:
    for table in ("directory_sync", "directory_projects", "directory_people"):
        op.drop_table(table)
