"""The links between Slack users and upstream people: saved again and again, also at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from app.domain.links import UserLink
from app.domain.upstreams import Upstream
from app.storage.unit_of_work import SqlUnitOfWork

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_the_same_link_saved_at_once_by_many_workers_is_kept_once_with_the_last_values(
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    async def save(minutes: int) -> None:
        async with uow_factory() as uow:
            link = UserLink(
                slack_user_id="U0ANA",
                upstream=Upstream.WETHOD,
                upstream_person_id="1",
                email=f"ana.{minutes}@acme.example",
                refreshed_at=T0 + timedelta(minutes=minutes),
            )
            await uow.links.save(link)
            await uow.commit()

    await asyncio.gather(*(save(m) for m in range(8)))  # on PostgreSQL, truly at once
    await save(99)
    async with uow_factory() as uow:
        saved = await uow.links.get("U0ANA", Upstream.WETHOD)
    assert saved is not None
    assert saved.email == "ana.99@acme.example"
    assert saved.refreshed_at == T0 + timedelta(minutes=99)
