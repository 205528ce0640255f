"""Directory rows as stored: each entry with its content hash, the upsert that writes an entry only when
that hash changed, and the models made again from what was read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.directory import DirectoryPerson, DirectoryProject, search_words
from app.domain.upstreams import Upstream
from app.storage.tables import DirectoryPersonRow, DirectoryProjectRow

_KEY = ("upstream", "upstream_id")
_NOT_HASHED = ("synced_at", "content_hash")
_upserts: dict[tuple[str, str], Executable] = {}


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    return value


def _hashed(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The row with its content hash (every stored column but the sync stamp) and `now` as its stamp."""
    content = repr(tuple(_canonical(row[name]) for name in sorted(row) if name not in _NOT_HASHED))
    digest = hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
    return {**row, "content_hash": digest, "synced_at": now}


def person_row(person: DirectoryPerson, now: datetime) -> dict[str, Any]:
    row = {
        **person.model_dump(),
        "upstream": person.upstream.value,
        "search_text": search_words(person.name, person.email),
    }
    return _hashed(row, now)


def project_row(project: DirectoryProject, now: datetime) -> dict[str, Any]:
    row = {
        **project.model_dump(),
        "upstream": project.upstream.value,
        "manager_ids": list(project.manager_ids),
        "search_text": search_words(project.name, project.job_order),
    }
    return _hashed(row, now)


def upsert_statement(dialect: str, table: Table) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE … WHERE the stored content hash differs … RETURNING the upstream of
    each row written, built once per dialect and table and sent with executemany, so that SQLAlchemy
    compiles it once, not once per chunk of values.

    The conflict is found through the primary key (the conflict target) whatever the planner knows of
    the table, and an unchanged row is left as it is: no new row version, its `synced_at` kept, and
    nothing returned for it.
    """
    cached = _upserts.get((dialect, table.name))
    if cached is None:
        values = [c.name for c in table.columns if c.name not in _KEY]
        if dialect == "postgresql":
            pg = postgresql.insert(table)
            cached = pg.on_conflict_do_update(
                index_elements=list(_KEY),
                set_={name: pg.excluded[name] for name in values},
                where=table.c.content_hash.is_distinct_from(pg.excluded.content_hash),
            ).returning(table.c.upstream)
        else:
            lite = sqlite.insert(table)
            cached = lite.on_conflict_do_update(
                index_elements=list(_KEY),
                set_={name: lite.excluded[name] for name in values},
                where=table.c.content_hash.is_distinct_from(lite.excluded.content_hash),
            ).returning(table.c.upstream)
        _upserts[(dialect, table.name)] = cached
    return cached


def to_person(row: DirectoryPersonRow) -> DirectoryPerson:
    return DirectoryPerson(
        upstream=Upstream(row.upstream),
        upstream_id=row.upstream_id,
        name=row.name,
        email=row.email,
        role=row.role,
        archived=row.archived,
        updated_at=row.updated_at,
    )


def to_project(row: DirectoryProjectRow) -> DirectoryProject:
    return DirectoryProject(
        upstream=Upstream(row.upstream),
        upstream_id=row.upstream_id,
        name=row.name,
        job_order=row.job_order,
        pm_id=row.pm_id,
        account_id=row.account_id,
        manager_ids=tuple(row.manager_ids),
        archived=row.archived,
        whitelist_enabled=row.whitelist_enabled,
        updated_at=row.updated_at,
    )


def projects_of(rows: Iterable[dict[str, Any]]) -> list[DirectoryProject]:
    return [
        DirectoryProject.model_construct(**row | {"manager_ids": tuple(row["manager_ids"])}) for row in rows
    ]
