"""The directory repository: upstream listings stored where they changed, and word-prefix search."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, query_words, search_words
from app.domain.upstreams import Upstream
from app.storage.tables import (
    DirectoryListedRow,
    DirectoryPersonRow,
    DirectoryProjectRow,
    DirectorySyncRow,
)

CHUNK = 500
LISTED_KEPT_FOR = timedelta(days=2)
_PEOPLE = cast(Table, DirectoryPersonRow.__table__)
_PROJECTS = cast(Table, DirectoryProjectRow.__table__)
_LISTED = cast(Table, DirectoryListedRow.__table__)
_PARTS = {"people": _PEOPLE, "projects": _PROJECTS}
_PERSON_FIELDS = [name for name in DirectoryPerson.model_fields if name != "upstream"]
_PROJECT_FIELDS = [name for name in DirectoryProject.model_fields if name != "upstream"]
_KEY = ("upstream", "upstream_id")
_NOT_HASHED = ("synced_at", "content_hash")
_IDS = postgresql.ARRAY(String())
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


def _person_row(person: DirectoryPerson, now: datetime) -> dict[str, Any]:
    row = {
        **person.model_dump(),
        "upstream": person.upstream.value,
        "search_text": search_words(person.name, person.email),
    }
    return _hashed(row, now)


def _project_row(project: DirectoryProject, now: datetime) -> dict[str, Any]:
    row = {
        **project.model_dump(),
        "upstream": project.upstream.value,
        "manager_ids": list(project.manager_ids),
        "search_text": search_words(project.name, project.job_order),
    }
    return _hashed(row, now)


def _upsert_statement(dialect: str, table: Table) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE … WHERE the stored content hash differs, built once per dialect and
    table and sent with executemany, so that SQLAlchemy compiles it once, not once per chunk of values.

    The conflict is found through the primary key (the conflict target) whatever the planner knows of
    the table, and an unchanged row is left as it is: no new row version, its `synced_at` kept.
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
            )
        else:
            lite = sqlite.insert(table)
            cached = lite.on_conflict_do_update(
                index_elements=list(_KEY),
                set_={name: lite.excluded[name] for name in values},
                where=table.c.content_hash.is_distinct_from(lite.excluded.content_hash),
            )
        _upserts[(dialect, table.name)] = cached
    return cached


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))


def _to_person(row: DirectoryPersonRow) -> DirectoryPerson:
    return DirectoryPerson(
        upstream=Upstream(row.upstream),
        upstream_id=row.upstream_id,
        name=row.name,
        email=row.email,
        role=row.role,
        archived=row.archived,
        updated_at=row.updated_at,
    )


def _to_project(row: DirectoryProjectRow) -> DirectoryProject:
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


def _matching(search_text: ColumnElement[str], query: str) -> list[ColumnElement[bool]]:
    return [search_text.contains(f" {word}", autoescape=True) for word in query_words(query)]


class SqlDirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    async def _delete(self, table: Table, upstream: str, ids: Sequence[str], since: datetime) -> None:
        """Delete the rows of `ids` not synced since `since` (the ids as one array on PostgreSQL)."""
        batches = [ids] if self._dialect() == "postgresql" else list(_chunks(ids))
        for batch in batches:
            if self._dialect() == "postgresql":
                listed = select(func.unnest(bindparam("ids", list(batch), type_=_IDS))).scalar_subquery()
                keys = table.c.upstream_id.in_(listed)
            else:
                keys = table.c.upstream_id.in_(batch)
            await self._session.execute(
                delete(table).where(table.c.upstream == upstream, keys, table.c.synced_at < since)
            )

    async def _upsert(self, part: str, rows: list[dict[str, Any]], now: datetime) -> None:
        """One executemany of one cached upsert that rewrites a row only when its content hash differs
        from the stored one (a new row is inserted); and a note of every id listed at `now`."""
        table = _PARTS[part]
        by_upstream: dict[str, dict[str, dict[str, Any]]] = {}
        for row in rows:
            by_upstream.setdefault(row["upstream"], {})[row["upstream_id"]] = row
        for upstream, listed in by_upstream.items():
            note = {"upstream": upstream, "part": part, "synced_at": now, "upstream_ids": list(listed)}
            await self._session.execute(insert(_LISTED).values(note))
        unique = [row for listed in by_upstream.values() for row in listed.values()]
        await self._session.execute(_upsert_statement(self._dialect(), table), unique)

    async def upsert_people(self, people: Sequence[DirectoryPerson], *, now: datetime) -> None:
        if people:
            await self._upsert("people", [_person_row(p, now) for p in people], now)

    async def upsert_projects(self, projects: Sequence[DirectoryProject], *, now: datetime) -> None:
        if projects:
            await self._upsert("projects", [_project_row(p, now) for p in projects], now)

    async def remove_not_synced_since(self, upstream: Upstream, since: datetime) -> None:
        """After a full refresh: drop what the upstream no longer lists.

        An entry was listed since `since` when its row was written since then, or when a refresh that
        started since then noted its id (`directory_listed`): an unchanged row keeps its older
        `synced_at`. Notes older than `LISTED_KEPT_FOR` belong to refreshes long over, and go.
        """
        for part, table in _PARTS.items():
            listed = await self._listed_since(upstream, part, since)
            older = select(table.c.upstream_id).where(
                table.c.upstream == upstream.value, table.c.synced_at < since
            )
            gone = [i for i in (await self._session.execute(older)).scalars() if i not in listed]
            if gone:
                await self._delete(table, upstream.value, gone, since)
        await self._session.execute(
            delete(_LISTED).where(
                _LISTED.c.upstream == upstream.value, _LISTED.c.synced_at < since - LISTED_KEPT_FOR
            )
        )

    async def _listed_since(self, upstream: Upstream, part: str, since: datetime) -> set[str]:
        statement = select(_LISTED.c.upstream_ids).where(
            _LISTED.c.upstream == upstream.value,
            _LISTED.c.part == part,
            _LISTED.c.synced_at >= since,
        )
        return {i for ids in (await self._session.execute(statement)).scalars() for i in ids}

    async def _search(
        self, table: Table, fields: list[str], upstream: Upstream, query: str, limit: int
    ) -> list[dict[str, Any]]:
        """Word-prefix matches, archived last, as plain rows."""
        statement = (
            select(*(table.c[name] for name in fields))
            .where(table.c.upstream == upstream.value, *_matching(table.c.search_text, query))
            .order_by(table.c.archived, table.c.search_text, table.c.upstream_id)
            .limit(limit)
        )
        return [{**row, "upstream": upstream} for row in (await self._session.execute(statement)).mappings()]

    # Rows were valid when stored, so searches build their models without checking them again.

    async def search_people(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryPerson]:
        rows = await self._search(_PEOPLE, _PERSON_FIELDS, upstream, query, limit)
        return [DirectoryPerson.model_construct(**row) for row in rows]

    async def search_projects(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryProject]:
        rows = await self._search(_PROJECTS, _PROJECT_FIELDS, upstream, query, limit)
        return [
            DirectoryProject.model_construct(**row | {"manager_ids": tuple(row["manager_ids"])})
            for row in rows
        ]

    async def get_project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        row = await self._session.get(DirectoryProjectRow, (upstream.value, upstream_id))
        return _to_project(row) if row else None

    async def get_people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        keys = [(upstream.value, i) for i in upstream_ids]
        statement = select(DirectoryPersonRow).where(
            tuple_(DirectoryPersonRow.upstream, DirectoryPersonRow.upstream_id).in_(keys)
        )
        return [_to_person(row) for row in await self._session.scalars(statement)] if keys else []

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        statement = select(DirectoryPersonRow).where(
            DirectoryPersonRow.upstream == upstream.value,
            func.lower(DirectoryPersonRow.role) == role.strip().lower(),
            DirectoryPersonRow.archived.is_(False),
        )
        return [_to_person(row) for row in await self._session.scalars(statement)]

    async def all_people(self, upstream: Upstream) -> list[DirectoryPerson]:
        return await self.search_people(upstream, "", limit=1_000_000)

    async def all_projects(self, upstream: Upstream) -> list[DirectoryProject]:
        return await self.search_projects(upstream, "", limit=1_000_000)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        statement = select(DirectoryPersonRow).where(
            DirectoryPersonRow.upstream == upstream.value, DirectoryPersonRow.email == email.strip().lower()
        )
        row = (await self._session.scalars(statement.limit(1))).first()
        return _to_person(row) if row else None

    async def sync_state(self, upstream: Upstream) -> SyncState | None:
        row = await self._session.get(DirectorySyncRow, upstream.value)
        if row is None:
            return None
        return SyncState(
            upstream=upstream,
            last_full_at=row.last_full_at,
            last_run_at=row.last_run_at,
            people_cursor=row.people_cursor,
            projects_cursor=row.projects_cursor,
            last_error=row.last_error,
        )

    async def save_sync_state(self, state: SyncState) -> None:
        await self._session.merge(
            DirectorySyncRow(
                upstream=state.upstream.value,
                last_full_at=state.last_full_at,
                last_run_at=state.last_run_at,
                people_cursor=state.people_cursor,
                projects_cursor=state.projects_cursor,
                last_error=state.last_error,
            )
        )
