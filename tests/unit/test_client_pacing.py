"""Pacing by rate-limit headers: the pause before a request once the window has none left."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.clients.errors import RateLimited
from app.clients.pacing import RatePacer

START = 1_800_000_000.0


@dataclass
class FakeClock:
    """Unix time that moves only when the pacer sleeps on it."""

    now: float = START
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(clock: FakeClock, max_wait: float = 20.0) -> RatePacer:
    return RatePacer("X", clock=clock, sleep=clock.sleep, max_wait=max_wait)


def answer(remaining: int, reset_in: float) -> dict[str, str]:
    return {"X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(int(START + reset_in))}


async def test_with_none_remaining_the_next_request_waits_until_the_reset() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    pace.observe(answer(0, 9))
    await pace.take_turn()
    assert clock.slept == [9.0]
    await pace.take_turn()
    assert clock.slept == [9.0]


async def test_requests_that_remain_go_at_once_and_each_takes_one() -> None:
    clock = FakeClock()
    pace = pacer(clock)
    pace.observe(answer(2, 5))
    await pace.take_turn()
    await pace.take_turn()
    assert clock.slept == []
    await pace.take_turn()
    assert clock.slept == [5.0]


async def test_a_reset_already_past_asks_for_no_pause() -> None:
    clock = FakeClock(now=START + 30)
    pace = pacer(clock)
    pace.observe(answer(0, 10))
    await pace.take_turn()
    assert clock.slept == []


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Rate-Limit-Remaining": "0"}, {"X-Rate-Limit-Remaining": "none", "X-Rate-Limit-Reset": "9"}],
)
async def test_an_answer_without_both_headers_paces_nothing(headers: dict[str, str]) -> None:
    clock = FakeClock()
    pace = pacer(clock)
    pace.observe(headers)
    await pace.take_turn()
    assert clock.slept == []


async def test_a_pause_longer_than_allowed_is_handed_back_without_sleeping() -> None:
    clock = FakeClock()
    pace = pacer(clock, max_wait=20.0)
    pace.observe(answer(0, 3000))
    with pytest.raises(RateLimited) as caught:
        await pace.take_turn()
    assert caught.value.retry_after == 3000.0
    assert clock.slept == []
