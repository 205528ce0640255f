"""Procore's two rate windows in the simulator: an hourly one and a 10-second spike one, per company."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOUR_SECONDS = 3600.0
SPIKE_SECONDS = 10.0
UNLIMITED = 1_000_000


@dataclass
class Window:
    """A fixed window of `seconds` from its first call; `limit` None counts nothing."""

    limit: int | None
    seconds: float
    start: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now - self.start >= self.seconds:
            self.start, self.used = now, 0

    @property
    def remaining(self) -> int:
        return UNLIMITED if self.limit is None else max(self.limit - self.used, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit

    @property
    def reset_at(self) -> float:
        return self.start + self.seconds


@dataclass(frozen=True)
class Report:
    """What one answer says of the rate: the X-Rate-Limit headers, and whether the call was let through."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(math.ceil(self.reset_at)),
        }

    def retry_after(self, now: float) -> int:
        """Whole seconds until the reset, rounded up, and at least one."""
        return max(1, math.ceil(self.reset_at - now))


@dataclass
class RateWindows:
    """Both windows of every key (a company, or a token without one).

    A call is let through only when neither window is full, and then counts in both. The answer reports
    the window closer to running out (fewer calls left; the spike one on a tie), or the full one when a
    call is refused (the hourly one when both are).
    """

    hourly_limit: int | None = None
    spike_limit: int | None = None
    clock: Callable[[], float] = time.time
    _windows: dict[str, tuple[Window, Window]] = field(default_factory=dict)

    def hit(self, key: str) -> Report:
        spike, hourly = self._of(key)
        full = [w for w in (hourly, spike) if w.full]
        if full:
            return self._report(full[0], allowed=False)
        spike.used += 1
        hourly.used += 1
        return self._report(min((spike, hourly), key=lambda w: w.remaining), allowed=True)

    def peek(self, key: str) -> Report:
        """The report of `key`'s windows without counting a call."""
        spike, hourly = self._of(key)
        closest = next(
            (w for w in (hourly, spike) if w.full), min((spike, hourly), key=lambda w: w.remaining)
        )
        return self._report(closest, allowed=not closest.full)

    def clear(self) -> None:
        """Forget every window, as a restarted upstream would."""
        self._windows.clear()

    def _of(self, key: str) -> tuple[Window, Window]:
        now = self.clock()
        spike, hourly = self._windows.setdefault(
            key, (Window(self.spike_limit, SPIKE_SECONDS), Window(self.hourly_limit, HOUR_SECONDS))
        )
        spike.roll(now)
        hourly.roll(now)
        return spike, hourly

    def _report(self, window: Window, *, allowed: bool) -> Report:
        limit = UNLIMITED if window.limit is None else window.limit
        return Report(allowed, limit, window.remaining, window.reset_at)
