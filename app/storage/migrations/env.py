"""Alembic environment: runs on the connection that app.storage.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.storage.tables import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with 'staffdesk db upgrade', which supplies the connection")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
context.run_migrations()
