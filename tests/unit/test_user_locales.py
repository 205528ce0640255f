"""Each user's Slack locale: cached for an hour, for a bounded number of users, never in the way of an
answer; and the Bolt middleware that makes a request read in the locale of the person who acted."""

from __future__ import annotations

import asyncio

from slack_bolt.context.async_context import AsyncBoltContext

from app.i18n import current_reader
from app.slack.locale import read_in_actors_locale
from app.slack.people import UserLocales


class FakeLookup:
    """Locales by user; `failing` raises, `slow` never answers in time; every lookup is counted."""

    def __init__(self, locales: dict[str, str], *, failing: bool = False, slow: bool = False) -> None:
        self.locales, self.failing, self.slow = locales, failing, slow
        self.asked: list[str] = []

    async def locale_of(self, slack_user_id: str) -> str | None:
        self.asked.append(slack_user_id)
        if self.failing:
            raise ConnectionError("slack is away")
        if self.slow:
            await asyncio.sleep(30)
        return self.locales.get(slack_user_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_locale_is_asked_of_slack_once_an_hour() -> None:
    lookup, clock = FakeLookup({"U1": "it-IT"}), Clock()
    locales = UserLocales(lookup, clock=clock)
    assert [await locales.locale_of("U1") for _ in range(3)] == ["it-IT"] * 3
    clock.now += 3599
    await locales.locale_of("U1")
    assert lookup.asked == ["U1"]
    clock.now += 2
    await locales.locale_of("U1")
    assert lookup.asked == ["U1", "U1"]


async def test_the_cache_keeps_the_users_seen_last() -> None:
    lookup = FakeLookup({"U1": "it-IT", "U2": "en-US", "U3": "it-IT"})
    locales = UserLocales(lookup, size=2, clock=Clock())
    for user in ("U1", "U2", "U1", "U3", "U1", "U2"):
        await locales.locale_of(user)
    assert lookup.asked == ["U1", "U2", "U3", "U2"]


async def test_a_failed_lookup_reads_english_and_is_tried_again_a_minute_later() -> None:
    lookup, clock = FakeLookup({}, failing=True), Clock()
    locales = UserLocales(lookup, clock=clock)
    assert await locales.locale_of("U1") is None
    clock.now += 59
    await locales.locale_of("U1")
    assert lookup.asked == ["U1"]
    clock.now += 2
    lookup.failing, lookup.locales = False, {"U1": "it-IT"}
    assert await locales.locale_of("U1") == "it-IT"


async def test_a_slow_lookup_does_not_hold_the_answer_up() -> None:
    locales = UserLocales(FakeLookup({"U1": "it-IT"}, slow=True), timeout=0.05, clock=Clock())
    assert await asyncio.wait_for(locales.locale_of("U1"), timeout=5) is None


async def _language_seen(context: AsyncBoltContext, lookup: FakeLookup) -> str:
    seen: list[str] = []
    middleware = read_in_actors_locale(UserLocales(lookup, clock=Clock()))

    async def next_() -> None:
        seen.append("next")

    async def request() -> None:
        await middleware(context, next_)
        seen.append(current_reader().language)

    await asyncio.create_task(request())
    assert seen[0] == "next"
    return seen[1]


async def test_a_request_reads_in_the_locale_of_the_person_who_acted() -> None:
    lookup = FakeLookup({"U1": "it-IT"})
    assert await _language_seen(AsyncBoltContext(user_id="U1"), lookup) == "it"
    assert await _language_seen(AsyncBoltContext(user_id="U2"), lookup) == "en"
    assert await _language_seen(AsyncBoltContext(), lookup) == "en"
    assert lookup.asked == ["U1", "U2"]
    assert current_reader().language == "en"
