"""A directory's content version: raised by each transaction that changes an upstream's people or
projects, so that the in-memory index is rebuilt when the content changed, not after every refresh.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("directory_sync") as batch:
        batch.add_column(sa.Column("content_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("directory_sync") as batch:
        batch.drop_column("content_version")
