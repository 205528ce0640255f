"""The directory's content version, which the in-memory index follows: it moves with each write that
changes an entry, in that write's transaction, and with nothing else (a refresh that changed nothing, the
refresh's own record)."""

from __future__ import annotations

from datetime import timedelta

from app.services.directory import refresh_directory
from tests.conftest import FakeClock
from tests.integration.test_directory_writes import T0, UowFactory, W, listing, person, project


async def content_version(uow_factory: UowFactory) -> int:
    async with uow_factory() as uow:
        return await uow.directory.content_version(W)


async def test_the_content_version_moves_with_each_write_that_changes_entries_in_its_transaction(
    uow_factory: UowFactory,
) -> None:
    vega, lyra = project(1, "Vega"), project(2, "Lyra")
    async with uow_factory() as uow:
        assert await uow.directory.upsert_projects([vega], now=T0) == 1
        assert await uow.directory.content_version(W) == 1
    assert await content_version(uow_factory) == 0  # rolled back with the write
    async with uow_factory() as uow:
        assert await uow.directory.upsert_projects([vega, lyra], now=T0) == 2
        assert await uow.directory.upsert_people([person(3, "Ana Rossi")], now=T0) == 1
        await uow.commit()
    written = await content_version(uow_factory)
    assert written > 0
    later = T0 + timedelta(hours=1)
    async with uow_factory() as uow:  # everything listed again, unchanged
        assert await uow.directory.upsert_projects([vega, lyra], now=later) == 0
        assert await uow.directory.upsert_people([person(3, "Ana Rossi")], now=later) == 0
        assert await uow.directory.remove_not_synced_since(W, later) == 0
        await uow.commit()
    assert await content_version(uow_factory) == written
    async with uow_factory() as uow:  # only Vega listed: Lyra and Ana go
        assert await uow.directory.upsert_projects([vega], now=later + timedelta(hours=1)) == 0
        assert await uow.directory.remove_not_synced_since(W, later + timedelta(hours=1)) == 2
        await uow.commit()
    removed = await content_version(uow_factory)
    assert removed > written
    async with uow_factory() as uow:
        assert (
            await uow.directory.upsert_projects([project(1, "Vega Prime")], now=T0 + timedelta(days=1)) == 1
        )
        await uow.commit()
    assert await content_version(uow_factory) > removed


async def test_recording_a_refresh_leaves_the_content_version_as_the_writes_left_it(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = listing()
    await refresh_directory(source, uow_factory, clock)
    first = await content_version(uow_factory)
    assert first > 0
    clock.advance(hours=25)
    assert (await refresh_directory(source, uow_factory, clock)).full
    assert await content_version(uow_factory) == first
    async with uow_factory() as uow:
        state = await uow.directory.sync_state(W)
    assert state is not None
    assert state.last_run_at == clock()  # the refresh was recorded all the same
