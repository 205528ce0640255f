"""Directory refreshes write only the entries that changed, and a full refresh still keeps every entry it
listed: on SQLite and PostgreSQL, rows written counted by triggers in the database itself."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.upstreams import Upstream
from app.services.directory import refresh_directory
from app.storage.directory import LISTED_KEPT_FOR
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock

UowFactory = Callable[[], SqlUnitOfWork]
W = Upstream.WETHOD
T0 = datetime(2026, 11, 1, tzinfo=UTC)
TABLES = ("directory_people", "directory_projects")


def project(pid: int, name: str, *, job_order: str | None = None) -> DirectoryProject:
    return DirectoryProject(upstream=W, upstream_id=str(pid), name=name, job_order=job_order, updated_at=T0)


def person(pid: int, name: str) -> DirectoryPerson:
    email = f"{name.split()[0].lower()}@acme.example"
    return DirectoryPerson(upstream=W, upstream_id=str(pid), name=name, email=email, updated_at=T0)


@dataclass
class Listing:
    """An upstream read in full every time (no incremental filter): every refresh lists everything."""

    people: list[DirectoryPerson] = field(default_factory=list)
    projects: list[DirectoryProject] = field(default_factory=list)
    upstream: Upstream = W
    incremental: bool = False

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        return list(self.people)

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        return list(self.projects)


def listing() -> Listing:
    return Listing(
        people=[person(1, "Zoë Rizzo"), person(2, "Ana Rossi"), person(3, "Luca Bianchi")],
        projects=[project(10 + n, f"Project {n}", job_order=f"JO-{n}") for n in range(600)],
    )


class Writes:
    """Rows the database inserted or updated in the directory tables, counted by row triggers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def install(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(text("CREATE TABLE directory_writes (tbl TEXT, op TEXT, upstream_id TEXT)"))
            if self._engine.dialect.name == "postgresql":
                await conn.execute(
                    text(
                        "CREATE FUNCTION count_directory_write() RETURNS trigger AS $$ BEGIN "
                        "INSERT INTO directory_writes VALUES (TG_TABLE_NAME, TG_OP, NEW.upstream_id); "
                        "RETURN NEW; END $$ LANGUAGE plpgsql"
                    )
                )
            for table in TABLES:
                for op in ("INSERT", "UPDATE"):
                    await conn.execute(text(self._trigger(table, op)))

    def _trigger(self, table: str, op: str) -> str:
        name = f"count_{table}_{op.lower()}"
        if self._engine.dialect.name == "postgresql":
            return (
                f"CREATE TRIGGER {name} AFTER {op} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION count_directory_write()"
            )
        record = f"INSERT INTO directory_writes VALUES ('{table}', '{op}', NEW.upstream_id)"  # noqa: S608
        return f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {record}; END"

    async def take(self) -> Counter[tuple[str, str]]:
        """The writes since the last call, by table and operation."""
        async with self._engine.begin() as conn:
            rows = (await conn.execute(text("SELECT tbl, op FROM directory_writes"))).all()
            await conn.execute(text("DELETE FROM directory_writes"))
        return Counter((table, op) for table, op in rows)

    async def ids(self) -> list[str]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(text("SELECT upstream_id FROM directory_writes"))).scalars())


@pytest.fixture
async def writes(engine: AsyncEngine) -> Writes:
    counter = Writes(engine)
    await counter.install()
    return counter


async def synced(engine: AsyncEngine, table: str) -> dict[str, datetime]:
    async with engine.connect() as conn:
        rows = await conn.execute(text(f"SELECT upstream_id, synced_at FROM {table}"))  # noqa: S608
        stamps = {str(i): at if isinstance(at, datetime) else datetime.fromisoformat(at) for i, at in rows}
    return {i: at if at.tzinfo else at.replace(tzinfo=UTC) for i, at in stamps.items()}


async def test_a_first_refresh_inserts_every_entry(
    uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    await refresh_directory(listing(), uow_factory, clock)
    assert await writes.take() == {("directory_people", "INSERT"): 3, ("directory_projects", "INSERT"): 600}


async def test_a_refresh_that_changes_one_project_writes_exactly_that_row(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    source = listing()
    await refresh_directory(source, uow_factory, clock)
    await writes.take()
    source.projects[417] = project(427, "Project 417 renamed", job_order="JO-417")
    clock.advance(hours=1)
    report = await refresh_directory(source, uow_factory, clock)
    assert await writes.take() == {("directory_projects", "UPDATE"): 1}
    assert report.changed == 1
    async with uow_factory() as uow:
        stored = await uow.directory.get_project(W, "427")
    assert stored is not None
    assert stored.name == "Project 417 renamed"
    stamps = await synced(engine, "directory_projects")
    assert sorted(i for i, at in stamps.items() if at == clock()) == ["427"]


async def test_an_unchanged_entry_keeps_its_stamp_and_survives_a_full_refresh(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    source = listing()
    first = clock()
    await refresh_directory(source, uow_factory, clock)
    await writes.take()
    clock.advance(hours=25)
    report = await refresh_directory(source, uow_factory, clock)
    assert report.full
    assert await writes.take() == {}
    assert report.changed == 0
    for table, count in (("directory_people", 3), ("directory_projects", 600)):
        stamps = await synced(engine, table)
        assert len(stamps) == count
        assert set(stamps.values()) == {first}


async def test_a_full_refresh_drops_only_what_the_upstream_no_longer_lists(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    source = listing()
    await refresh_directory(source, uow_factory, clock)
    await writes.take()
    dropped = {p.upstream_id for p in source.projects[100:160]}
    source.projects = [p for p in source.projects if p.upstream_id not in dropped]
    source.people = source.people[1:]
    clock.advance(hours=25)
    report = await refresh_directory(source, uow_factory, clock)
    assert await writes.take() == {}
    assert report.changed == 61  # 60 projects and a person removed
    assert set(await synced(engine, "directory_projects")) == {p.upstream_id for p in source.projects}
    assert set(await synced(engine, "directory_people")) == {"2", "3"}


async def test_an_entry_listed_only_before_a_full_refresh_began_is_dropped(
    engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    entries = [project(1, "Vega"), project(2, "Lyra")]
    for moment in (T0, T0 + timedelta(hours=1)):  # then listed again, unchanged, before the clean-up began
        async with uow_factory() as uow:
            await uow.directory.upsert_projects(entries, now=moment)
            await uow.commit()
    async with uow_factory() as uow:
        await uow.directory.upsert_projects([project(2, "Lyra")], now=T0 + timedelta(hours=2))
        await uow.directory.remove_not_synced_since(W, T0 + timedelta(hours=2))
        await uow.commit()
    assert set(await synced(engine, "directory_projects")) == {"2"}


async def test_two_full_refreshes_at_once_keep_what_both_listed(
    engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    """Two replicas: the one that began first finishes last, after the other has cleaned up."""
    entries = [project(1, "Vega"), project(2, "Lyra")]
    async with uow_factory() as uow:
        await uow.directory.upsert_projects(entries, now=T0)
        await uow.commit()
    early, late = T0 + timedelta(days=1), T0 + timedelta(days=1, minutes=1)
    for moment in (early, late):
        async with uow_factory() as uow:
            await uow.directory.upsert_projects(entries, now=moment)
            await uow.commit()
    for moment in (late, early):
        async with uow_factory() as uow:
            await uow.directory.remove_not_synced_since(W, moment)
            await uow.commit()
    assert set((await synced(engine, "directory_projects")).values()) == {T0}
    assert len(await synced(engine, "directory_projects")) == 2


async def test_notes_of_listed_ids_are_kept_only_while_a_refresh_may_still_need_them(
    engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    for moment in (T0, T0 + timedelta(hours=1), T0 + LISTED_KEPT_FOR + timedelta(hours=1)):
        async with uow_factory() as uow:
            await uow.directory.upsert_projects([project(1, "Vega")], now=moment)
            await uow.directory.remove_not_synced_since(W, moment)
            await uow.commit()
    async with engine.connect() as conn:
        notes = (await conn.execute(text("SELECT count(*) FROM directory_listed"))).scalar_one()
    assert notes == 2  # the first refresh's note is older than LISTED_KEPT_FOR before the last one


async def test_an_entry_stored_without_a_content_hash_is_rewritten_once(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    source = listing()
    await refresh_directory(source, uow_factory, clock)
    async with engine.begin() as conn:  # as rows stored before the hash existed
        await conn.execute(text("UPDATE directory_projects SET content_hash = NULL WHERE upstream_id = '42'"))
    await writes.take()
    for _ in range(2):
        clock.advance(hours=1)
        await refresh_directory(source, uow_factory, clock)
    assert await writes.ids() == ["42"]


async def test_the_same_entry_twice_in_one_write_is_stored_once_as_last_listed(
    uow_factory: UowFactory, writes: Writes
) -> None:
    async with uow_factory() as uow:
        await uow.directory.upsert_projects([project(1, "Vega"), project(1, "Vega Two")], now=T0)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.directory.get_project(W, "1")
    assert stored is not None
    assert stored.name == "Vega Two"
    assert await writes.take() == {("directory_projects", "INSERT"): 1}


async def test_a_change_in_any_stored_field_is_written(
    uow_factory: UowFactory, clock: FakeClock, writes: Writes
) -> None:
    base = DirectoryProject(upstream=W, upstream_id="7", name="Orion", job_order="JO-7", updated_at=T0)
    variants = [
        base.model_copy(update={"job_order": "JO-8"}),
        base.model_copy(update={"pm_id": "3"}),
        base.model_copy(update={"account_id": "4"}),
        base.model_copy(update={"manager_ids": ("3", "5")}),
        base.model_copy(update={"archived": True}),
        base.model_copy(update={"whitelist_enabled": False}),
        base.model_copy(update={"updated_at": T0 + timedelta(seconds=1)}),
        base,
    ]
    async with uow_factory() as uow:
        await uow.directory.upsert_projects([base], now=clock())
        await uow.commit()
    await writes.take()
    for variant in [*variants, base]:
        clock.advance(minutes=1)
        async with uow_factory() as uow:
            await uow.directory.upsert_projects([variant], now=clock())
            await uow.commit()
    assert await writes.take() == {("directory_projects", "UPDATE"): len(variants)}
