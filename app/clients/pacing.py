"""Pacing by rate-limit headers: once the window has no request left, wait for its reset before sending."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping

from app.clients.errors import RateLimited

REMAINING = "x-rate-limit-remaining"
RESET = "x-rate-limit-reset"


class RatePacer:
    """What the last answer said of the rate window, and the pause it asks for before the next request.

    Every answer's `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset` (Unix seconds) are read; each request
    sent takes one from what remains. When nothing remains, the next request waits until the reset time on
    `clock` (wall time); requests behind it queue. A pause longer than `max_wait` is not slept: RateLimited
    is raised without sending, with the pause as `retry_after`, for the caller to reschedule.
    """

    def __init__(
        self,
        upstream: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_wait: float = 20.0,
    ) -> None:
        self._upstream = upstream
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._remaining: int | None = None
        self._resets_at = 0.0
        self._turn = asyncio.Lock()

    async def take_turn(self) -> None:
        """Return when a request may be sent, having waited for the window's reset if none remains."""
        async with self._turn:
            pause = self.pause()
            if pause > self._max_wait:
                message = f"no request is left in the rate window; it resets in {math.ceil(pause)} s"
                raise RateLimited(self._upstream, message, retry_after=pause)
            if pause > 0:
                await self._sleep(pause)
            if self._remaining is not None and self._clock() >= self._resets_at:
                self._remaining = None
            if self._remaining is not None:
                self._remaining -= 1

    def pause(self) -> float:
        """Seconds the next request must wait: until the reset when nothing remains, else none."""
        if self._remaining is None or self._remaining > 0:
            return 0.0
        return max(self._resets_at - self._clock(), 0.0)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the window an answer reports; an answer without both headers leaves things as they were."""
        lowered = {name.lower(): value.strip() for name, value in headers.items()}
        try:
            remaining = int(lowered[REMAINING])
            resets_at = float(lowered[RESET])
        except (KeyError, ValueError):
            return
        self._remaining, self._resets_at = max(remaining, 0), resets_at
