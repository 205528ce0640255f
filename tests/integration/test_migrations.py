"""Migrations create the schema on SQLite and PostgreSQL, and a second run changes nothing."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.storage import migrate
from app.storage.tables import Base

TABLES = {
    "requests",
    "audit_entries",
    "delivery_attempts",
    "user_links",
    "posted_summaries",
    "alembic_version",
    "directory_people",
    "directory_projects",
    "directory_sync",
    "directory_listed",
    "approval_messages",
    "digest_subscriptions",
    "slack_notices",
    "approval_nudges",
    "absences",
    "workers",
}


def _snapshot(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
            inspector.get_pk_constraint(table)["constrained_columns"],
        )
        for table in sorted(inspector.get_table_names())
    }


async def _state(engine: AsyncEngine) -> tuple[dict[str, Any], list[Any]]:
    async with engine.connect() as conn:
        snapshot = await conn.run_sync(_snapshot)
        versions = list((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    return snapshot, versions


async def test_upgrade_creates_every_table_at_the_head_revision(empty_engine: AsyncEngine) -> None:
    assert await migrate.current_revision(empty_engine) is None
    await migrate.upgrade(empty_engine)
    snapshot, versions = await _state(empty_engine)
    assert set(snapshot) == TABLES
    assert versions == [migrate.head_revision()]


async def test_upgrade_twice_changes_nothing(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    first = await _state(empty_engine)
    await migrate.upgrade(empty_engine)
    assert await _state(empty_engine) == first


def _drift(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_the_migrations_and_the_tables_the_code_uses_do_not_drift(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
