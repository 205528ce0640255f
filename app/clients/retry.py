"""Retries in one place: reads retry on transient errors; creates are sent again only when safe."""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.clients.errors import RateLimited, ServerError, UpstreamError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a client tries in-process before the error goes back to its caller.

    The wait before try `n + 1` is `first_delay` doubled `n - 1` times, capped at `max_delay`, with equal
    jitter: a uniform draw between half of it and all of it, so that clients failing together do not
    come back together. A `Retry-After` the upstream sent is a floor the jitter never goes below.
    `jitter` returns a draw in [0, 1); 0 keeps the whole delay.

    A wait longer than `max_delay` is not slept here: the error is raised, so that the delivery outbox
    reschedules the request instead of holding a worker.
    """

    attempts: int = 4
    first_delay: float = 0.5
    max_delay: float = 20.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        exponential = min(self.first_delay * (1 << min(attempt - 1, 16)), self.max_delay)
        draw = min(max(self.jitter(), 0.0), 1.0)
        return max(exponential * (1.0 - draw / 2.0), retry_after or 0.0)


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait, from `Retry-After` (seconds or HTTP date), `x-ratelimit-retry-after`
    (seconds) or `X-Rate-Limit-Reset` (Unix time), whichever the upstream sent."""
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    now = time.time() if now is None else now
    for name in ("retry-after", "x-ratelimit-retry-after"):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            return max(float(value), 0.0)
        except ValueError:
            try:
                return max(email.utils.parsedate_to_datetime(value).timestamp() - now, 0.0)
            except (TypeError, ValueError):
                return None
    reset = lowered.get("x-rate-limit-reset")
    if reset is not None:
        try:
            return max(float(reset) - now, 0.0)
        except ValueError:
            return None
    return None


def _wait_for(error: UpstreamError) -> float | None:
    if isinstance(error, RateLimited | ServerError):
        return error.retry_after
    return None


async def _pause_or_raise(policy: RetryPolicy, attempt: int, error: UpstreamError) -> None:
    if not error.retryable or attempt >= policy.attempts:
        raise error
    delay = policy.delay(attempt, _wait_for(error))
    if delay > policy.max_delay:
        raise error
    await policy.sleep(delay)


async def retry_read(policy: RetryPolicy, call: Callable[[], Awaitable[T]]) -> T:
    """Run a read, retrying connection errors, time-outs, 429 and 5xx with backoff."""
    attempt = 1
    while True:
        try:
            return await call()
        except UpstreamError as error:
            await _pause_or_raise(policy, attempt, error)
            attempt += 1


@dataclass(frozen=True)
class Created(Generic[T]):
    """A created resource; `recovered` when it was found upstream rather than created by this call."""

    value: T
    recovered: bool


async def create_once(
    policy: RetryPolicy,
    create: Callable[[], Awaitable[T]],
    find: Callable[[], Awaitable[T | None]],
    *,
    look_first: bool = False,
) -> Created[T]:
    """Create a resource so that it reaches the upstream exactly once.

    Sent again directly only when the upstream surely did not apply it (connection refused, 429, 503);
    after an answer was lost (time-out, 500, 502, 504) it is looked for first. `look_first` does that
    before the first try too, for a request an earlier process may already have sent.
    """
    if look_first:
        found = await retry_read(policy, find)
        if found is not None:
            return Created(found, recovered=True)
    attempt = 1
    while True:
        try:
            return Created(await create(), recovered=False)
        except UpstreamError as error:
            await _pause_or_raise(policy, attempt, error)
            attempt += 1
            if error.may_have_applied:
                found = await retry_read(policy, find)
                if found is not None:
                    return Created(found, recovered=True)
