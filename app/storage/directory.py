"""The directory repository: bulk upserts from upstream listings and word-prefix search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, query_words, search_words
from app.domain.upstreams import Upstream
from app.storage.database import insert_for
from app.storage.tables import DirectoryPersonRow, DirectoryProjectRow, DirectorySyncRow

CHUNK = 500
_PEOPLE = cast(Table, DirectoryPersonRow.__table__)
_PROJECTS = cast(Table, DirectoryProjectRow.__table__)
_PERSON_FIELDS = [name for name in DirectoryPerson.model_fields if name != "upstream"]
_PROJECT_FIELDS = [name for name in DirectoryProject.model_fields if name != "upstream"]


def _person_row(person: DirectoryPerson, now: datetime) -> dict[str, Any]:
    return {
        **person.model_dump(),
        "upstream": person.upstream.value,
        "search_text": search_words(person.name, person.email),
        "synced_at": now,
    }


def _project_row(project: DirectoryProject, now: datetime) -> dict[str, Any]:
    return {
        **project.model_dump(),
        "upstream": project.upstream.value,
        "manager_ids": list(project.manager_ids),
        "search_text": search_words(project.name, project.job_order),
        "synced_at": now,
    }


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

    async def _upsert(
        self, table: type[DirectoryPersonRow] | type[DirectoryProjectRow], rows: list[dict[str, Any]]
    ) -> None:
        insert = insert_for(self._session)
        for start in range(0, len(rows), CHUNK):
            statement = insert(table).values(rows[start : start + CHUNK])
            updates = {c: statement.excluded[c] for c in rows[0] if c not in ("upstream", "upstream_id")}
            await self._session.execute(
                statement.on_conflict_do_update(index_elements=["upstream", "upstream_id"], set_=updates)
            )

    async def upsert_people(self, people: Sequence[DirectoryPerson], *, now: datetime) -> None:
        if people:
            await self._upsert(DirectoryPersonRow, [_person_row(p, now) for p in people])

    async def upsert_projects(self, projects: Sequence[DirectoryProject], *, now: datetime) -> None:
        if projects:
            await self._upsert(DirectoryProjectRow, [_project_row(p, now) for p in projects])

    async def remove_not_synced_since(self, upstream: Upstream, since: datetime) -> None:
        """After a full refresh: drop what the upstream no longer lists."""
        for table in (DirectoryPersonRow, DirectoryProjectRow):
            await self._session.execute(
                delete(table).where(table.upstream == upstream.value, table.synced_at < since)
            )

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
