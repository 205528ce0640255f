"""Retries in one place: backoff, the upstream's retry headers, and creates that reach the upstream once."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Awaitable, Callable

import pytest

from app.clients.errors import (
    AnswerLost,
    ConnectionFailed,
    Forbidden,
    InvalidData,
    RateLimited,
    ServerError,
    UpstreamError,
)
from app.clients.retry import RetryPolicy, create_once, retry_after_seconds, retry_read

NOW = 1_800_000_000.0


def no_jitter() -> float:
    """The draw that keeps the whole backoff, so that exact delays can be asserted."""
    return 0.0


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def policy(sleeps: Sleeps, attempts: int = 4) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, first_delay=0.5, max_delay=20.0, sleep=sleeps, jitter=no_jitter)


def scripted(*steps: object) -> Callable[[], Awaitable[str]]:
    """A call that raises or returns each step in turn."""
    queue = list(steps)

    async def call() -> str:
        step = queue.pop(0)
        if isinstance(step, BaseException):
            raise step
        return str(step)

    return call


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW + 10, usegmt=True)}, 10.0),
        ({"x-ratelimit-retry-after": "12"}, 12.0),
        ({"X-Rate-Limit-Reset": str(int(NOW) + 30)}, 30.0),
        ({"X-Rate-Limit-Reset": str(int(NOW) - 30)}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_from_each_upstreams_header(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after_seconds(headers, now=NOW) == expected


def test_backoff_doubles_up_to_the_cap_and_never_undercuts_retry_after() -> None:
    rules = RetryPolicy(first_delay=0.5, max_delay=4.0, jitter=no_jitter)
    assert [rules.delay(n, None) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert rules.delay(1, 3.0) == 3.0


@pytest.mark.parametrize(
    "transient",
    [
        ConnectionFailed("X", "refused"),
        AnswerLost("X", "read time-out"),
        RateLimited("X", "slow down", retry_after=2),
        ServerError("X", "bad gateway", status=502),
        ServerError("X", "unavailable", status=503, retry_after=3),
    ],
)
async def test_a_read_is_retried_on_transient_errors(transient: UpstreamError) -> None:
    sleeps = Sleeps()
    assert await retry_read(policy(sleeps), scripted(transient, "ok")) == "ok"
    assert len(sleeps.delays) == 1
    assert sleeps.delays[0] >= 0.5


async def test_a_read_honours_the_upstreams_retry_after() -> None:
    sleeps = Sleeps()
    await retry_read(policy(sleeps), scripted(RateLimited("X", "wait", retry_after=9), "ok"))
    assert sleeps.delays == [9]


async def test_a_wait_longer_than_the_policy_allows_is_handed_back_to_the_caller() -> None:
    sleeps = Sleeps()
    with pytest.raises(RateLimited):
        await retry_read(policy(sleeps), scripted(RateLimited("X", "hour", retry_after=3600), "ok"))
    assert sleeps.delays == []


@pytest.mark.parametrize(
    "final", [InvalidData("X", "bad", []), Forbidden("X", "no"), UpstreamError("X", "odd", status=418)]
)
async def test_errors_that_retrying_cannot_fix_are_raised_at_once(final: UpstreamError) -> None:
    sleeps = Sleeps()
    with pytest.raises(type(final)):
        await retry_read(policy(sleeps), scripted(final, "ok"))
    assert sleeps.delays == []


async def test_a_read_gives_up_after_its_attempts() -> None:
    sleeps = Sleeps()
    errors = [ServerError("X", "down", status=500) for _ in range(3)]
    with pytest.raises(ServerError):
        await retry_read(policy(sleeps, attempts=3), scripted(*errors))
    assert sleeps.delays == [0.5, 1.0]


class Upstream:
    """An upstream holding created things; `fail` scripts what each create does before or after applying."""

    def __init__(self, *script: tuple[str, UpstreamError | None]) -> None:
        self.items: list[str] = []
        self.creates = 0
        self.finds = 0
        self.script = list(script)

    async def create(self) -> str:
        self.creates += 1
        when, error = self.script.pop(0) if self.script else ("ok", None)
        if when == "before" and error:
            raise error
        self.items.append(f"item{len(self.items) + 1}")
        if when == "after" and error:
            raise error
        return self.items[-1]

    async def find(self) -> str | None:
        self.finds += 1
        return self.items[0] if self.items else None


@pytest.mark.parametrize(
    "refusal",
    [
        ConnectionFailed("X", "refused"),
        RateLimited("X", "slow", retry_after=1),
        ServerError("X", "busy", status=503),
    ],
)
async def test_a_create_the_upstream_surely_did_not_apply_is_sent_again_without_looking(
    refusal: UpstreamError,
) -> None:
    upstream = Upstream(("before", refusal))
    created = await create_once(policy(Sleeps()), upstream.create, upstream.find)
    assert (created.value, created.recovered) == ("item1", False)
    assert (upstream.creates, upstream.finds, upstream.items) == (2, 0, ["item1"])


@pytest.mark.parametrize(
    "lost",
    [
        AnswerLost("X", "read time-out"),
        ServerError("X", "bad gateway", status=502),
        ServerError("X", "gateway time-out", status=504),
        ServerError("X", "internal", status=500),
    ],
)
async def test_a_create_whose_answer_was_lost_is_looked_for_and_not_made_twice(lost: UpstreamError) -> None:
    upstream = Upstream(("after", lost))
    created = await create_once(policy(Sleeps()), upstream.create, upstream.find)
    assert (created.value, created.recovered) == ("item1", True)
    assert (upstream.creates, upstream.finds, upstream.items) == (1, 1, ["item1"])


async def test_a_create_lost_before_it_applied_is_looked_for_then_sent_again() -> None:
    upstream = Upstream(("before", AnswerLost("X", "write time-out")))
    created = await create_once(policy(Sleeps()), upstream.create, upstream.find)
    assert (created.value, created.recovered) == ("item1", False)
    assert (upstream.creates, upstream.finds) == (2, 1)


async def test_look_first_finds_what_an_earlier_process_created_without_sending() -> None:
    upstream = Upstream()
    upstream.items.append("item1")
    created = await create_once(policy(Sleeps()), upstream.create, upstream.find, look_first=True)
    assert (created.value, created.recovered, upstream.creates) == ("item1", True, 0)


async def test_look_first_creates_when_nothing_is_there() -> None:
    upstream = Upstream()
    created = await create_once(policy(Sleeps()), upstream.create, upstream.find, look_first=True)
    assert (created.value, created.recovered, upstream.creates, upstream.finds) == ("item1", False, 1, 1)


async def test_a_refused_create_is_not_retried() -> None:
    upstream = Upstream(("before", InvalidData("X", "bad", [])))
    with pytest.raises(InvalidData):
        await create_once(policy(Sleeps()), upstream.create, upstream.find)
    assert upstream.creates == 1


def test_backoff_is_jittered_between_half_and_the_whole_delay() -> None:
    rules = RetryPolicy(first_delay=0.5, max_delay=4.0, jitter=random.Random(7).random)
    for attempt, whole in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        delays = [rules.delay(attempt, None) for _ in range(40)]
        assert all(whole / 2 <= d <= whole for d in delays)
        assert len(set(delays)) > 30


@pytest.mark.parametrize("draw", [0.0, 0.3, 0.999])
def test_jitter_never_goes_below_the_upstreams_retry_after(draw: float) -> None:
    rules = RetryPolicy(first_delay=0.5, max_delay=20.0, jitter=lambda: draw)
    assert rules.delay(1, 3.0) == 3.0
    assert 3.0 <= rules.delay(4, 3.0) <= 4.0
    assert rules.delay(6, 30.0) == 30.0


async def test_retried_reads_wait_jittered_delays_drawn_from_the_injected_randomness() -> None:
    runs: list[list[float]] = []
    for seed in (1, 2):
        sleeps = Sleeps()
        rules = RetryPolicy(attempts=4, first_delay=0.5, sleep=sleeps, jitter=random.Random(seed).random)
        errors = [ServerError("X", "down", status=502) for _ in range(3)]
        assert await retry_read(rules, scripted(*errors, "ok")) == "ok"
        bounds = [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]
        assert all(low <= d <= high for d, (low, high) in zip(sleeps.delays, bounds, strict=True))
        runs.append(sleeps.delays)
    assert runs[0] != runs[1]
    assert runs[0] != [0.5, 1.0, 2.0]
