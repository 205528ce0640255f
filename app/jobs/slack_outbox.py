"""The Slack outbox loop: sends what is due, wakes at once when this process stores a notice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)


async def _pause(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting


async def run_outbox_loop(
    send_due: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    wake: asyncio.Event,
    *,
    batch_size: int,
    idle_seconds: float = 1.0,
    error_seconds: float = 5.0,
) -> None:
    """Send due notices until `stop` is set; a full batch is followed at once by the next."""
    while not stop.is_set():
        wake.clear()
        try:
            sent = await send_due()
        except StorageUnavailable:
            log.warning("the database is unavailable; Slack messages wait until it is back")
            await _pause(stop, asyncio.Event(), error_seconds)
            continue
        except Exception:
            log.exception("the Slack outbox failed; retrying in %.0f s", error_seconds)
            await _pause(stop, asyncio.Event(), error_seconds)
            continue
        if sent < batch_size:
            await _pause(stop, wake, idle_seconds)
