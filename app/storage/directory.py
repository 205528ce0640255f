"""The directory repository: upstream listings stored where they changed, and word-prefix search."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, query_words
from app.domain.upstreams import Upstream
from app.storage.database import insert_for
from app.storage.directory_rows import (
    person_row,
    project_row,
    projects_of,
    to_person,
    to_project,
    upsert_statement,
)
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
_SYNC = cast(Table, DirectorySyncRow.__table__)
_PARTS = {"people": _PEOPLE, "projects": _PROJECTS}
_PERSON_FIELDS = [name for name in DirectoryPerson.model_fields if name != "upstream"]
_PROJECT_FIELDS = [name for name in DirectoryProject.model_fields if name != "upstream"]
_IDS = postgresql.ARRAY(String())


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))


def _matching(search_text: ColumnElement[str], query: str) -> list[ColumnElement[bool]]:
    return [search_text.contains(f" {word}", autoescape=True) for word in query_words(query)]


class SqlDirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    async def _delete(self, table: Table, upstream: str, ids: Sequence[str], since: datetime) -> int:
        """Delete the rows of `ids` not synced since `since` (the ids as one array on PostgreSQL); returns
        how many went."""
        batches = [ids] if self._dialect() == "postgresql" else list(_chunks(ids))
        deleted = 0
        for batch in batches:
            if self._dialect() == "postgresql":
                listed = select(func.unnest(bindparam("ids", list(batch), type_=_IDS))).scalar_subquery()
                keys = table.c.upstream_id.in_(listed)
            else:
                keys = table.c.upstream_id.in_(batch)
            statement = delete(table).where(table.c.upstream == upstream, keys, table.c.synced_at < since)
            deleted += cast(CursorResult[Any], await self._session.execute(statement)).rowcount
        return deleted

    async def _content_changed(self, upstream: str) -> None:
        """Raise `upstream`'s content version, in the transaction that changes its entries, so that the
        version is committed with the change or not at all."""
        statement = insert_for(self._session)(_SYNC).values(upstream=upstream, content_version=1)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_SYNC.c.upstream], set_={"content_version": _SYNC.c.content_version + 1}
            )
        )

    async def _upsert(self, part: str, rows: list[dict[str, Any]], now: datetime) -> int:
        """One executemany of one cached upsert that rewrites a row only when its content hash differs
        from the stored one (a new row is inserted); a note of every id listed at `now`; and the content
        version of each upstream with a row written raised. Returns the rows written."""
        table = _PARTS[part]
        by_upstream: dict[str, dict[str, dict[str, Any]]] = {}
        for row in rows:
            by_upstream.setdefault(row["upstream"], {})[row["upstream_id"]] = row
        for upstream, listed in by_upstream.items():
            note = {"upstream": upstream, "part": part, "synced_at": now, "upstream_ids": list(listed)}
            await self._session.execute(insert(_LISTED).values(note))
        unique = [row for listed in by_upstream.values() for row in listed.values()]
        statement = upsert_statement(self._dialect(), table)
        written = Counter((await self._session.execute(statement, unique)).scalars())
        for changed in written:
            await self._content_changed(changed)
        return written.total()

    async def upsert_people(self, people: Sequence[DirectoryPerson], *, now: datetime) -> int:
        """Store `people`, writing those whose content changed; returns how many were written."""
        return await self._upsert("people", [person_row(p, now) for p in people], now) if people else 0

    async def upsert_projects(self, projects: Sequence[DirectoryProject], *, now: datetime) -> int:
        """Store `projects`, writing those whose content changed; returns how many were written."""
        return await self._upsert("projects", [project_row(p, now) for p in projects], now) if projects else 0

    async def remove_not_synced_since(self, upstream: Upstream, since: datetime) -> int:
        """After a full refresh: drop what the upstream no longer lists.

        An entry was listed since `since` when its row was written since then, or when a refresh that
        started since then noted its id (`directory_listed`): an unchanged row keeps its older
        `synced_at`. Notes older than `LISTED_KEPT_FOR` belong to refreshes long over, and go. Returns
        how many entries were dropped (the content version is raised when any were).
        """
        removed = 0
        for part, table in _PARTS.items():
            listed = await self._listed_since(upstream, part, since)
            older = select(table.c.upstream_id).where(
                table.c.upstream == upstream.value, table.c.synced_at < since
            )
            gone = [i for i in (await self._session.execute(older)).scalars() if i not in listed]
            if gone:
                removed += await self._delete(table, upstream.value, gone, since)
        if removed:
            await self._content_changed(upstream.value)
        await self._session.execute(
            delete(_LISTED).where(
                _LISTED.c.upstream == upstream.value, _LISTED.c.synced_at < since - LISTED_KEPT_FOR
            )
        )
        return removed

    async def _listed_since(self, upstream: Upstream, part: str, since: datetime) -> set[str]:
        statement = select(_LISTED.c.upstream_ids).where(
            _LISTED.c.upstream == upstream.value,
            _LISTED.c.part == part,
            _LISTED.c.synced_at >= since,
        )
        return {i for ids in (await self._session.execute(statement)).scalars() for i in ids}

    async def _rows(self, statement: Select[Any], upstream: Upstream) -> list[dict[str, Any]]:
        return [{**row, "upstream": upstream} for row in (await self._session.execute(statement)).mappings()]

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
        return await self._rows(statement, upstream)

    async def _page(
        self, table: Table, fields: list[str], upstream: Upstream, after: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """At most `limit` rows of `upstream` by upstream id, from the first after `after` (keyset
        pagination along the primary key), as plain rows."""
        statement = select(*(table.c[name] for name in fields)).where(table.c.upstream == upstream.value)
        if after is not None:
            statement = statement.where(table.c.upstream_id > after)
        return await self._rows(statement.order_by(table.c.upstream_id).limit(limit), upstream)

    # Rows were valid when stored, so searches build their models without checking them again.

    async def search_people(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryPerson]:
        rows = await self._search(_PEOPLE, _PERSON_FIELDS, upstream, query, limit)
        return [DirectoryPerson.model_construct(**row) for row in rows]

    async def search_projects(
        self, upstream: Upstream, query: str, *, limit: int = 50
    ) -> list[DirectoryProject]:
        return projects_of(await self._search(_PROJECTS, _PROJECT_FIELDS, upstream, query, limit))

    async def people_page(self, upstream: Upstream, after: str | None, limit: int) -> list[DirectoryPerson]:
        """`upstream`'s people by upstream id: at most `limit`, from the first after `after`."""
        rows = await self._page(_PEOPLE, _PERSON_FIELDS, upstream, after, limit)
        return [DirectoryPerson.model_construct(**row) for row in rows]

    async def projects_page(
        self, upstream: Upstream, after: str | None, limit: int
    ) -> list[DirectoryProject]:
        """`upstream`'s projects by upstream id: at most `limit`, from the first after `after`."""
        return projects_of(await self._page(_PROJECTS, _PROJECT_FIELDS, upstream, after, limit))

    async def get_project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        row = await self._session.get(DirectoryProjectRow, (upstream.value, upstream_id))
        return to_project(row) if row else None

    async def get_people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        keys = [(upstream.value, i) for i in upstream_ids]
        statement = select(DirectoryPersonRow).where(
            tuple_(DirectoryPersonRow.upstream, DirectoryPersonRow.upstream_id).in_(keys)
        )
        return [to_person(row) for row in await self._session.scalars(statement)] if keys else []

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        statement = select(DirectoryPersonRow).where(
            DirectoryPersonRow.upstream == upstream.value,
            func.lower(DirectoryPersonRow.role) == role.strip().lower(),
            DirectoryPersonRow.archived.is_(False),
        )
        return [to_person(row) for row in await self._session.scalars(statement)]

    async def all_people(self, upstream: Upstream) -> list[DirectoryPerson]:
        return await self.search_people(upstream, "", limit=1_000_000)

    async def all_projects(self, upstream: Upstream) -> list[DirectoryProject]:
        return await self.search_projects(upstream, "", limit=1_000_000)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        statement = select(DirectoryPersonRow).where(
            DirectoryPersonRow.upstream == upstream.value, DirectoryPersonRow.email == email.strip().lower()
        )
        row = (await self._session.scalars(statement.limit(1))).first()
        return to_person(row) if row else None

    async def content_version(self, upstream: Upstream) -> int:
        """How many transactions have changed `upstream`'s entries (0 before any)."""
        statement = select(_SYNC.c.content_version).where(_SYNC.c.upstream == upstream.value)
        return (await self._session.execute(statement)).scalar() or 0

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
