"""What Slack is asked once and remembered: users by e-mail (an hour when found, five minutes when not) and
each user's DM channel (asked again when Slack refuses a post there). Against the fake Web API over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.slack.blocks.common import SlackMessage
from app.slack.people import EMAIL_KNOWN_FOR, EMAIL_UNKNOWN_FOR, SlackWebPeople, TimedCache
from app.slack.poster import SlackPoster
from app.slack.web_client import build_web_client
from tests.fake_slack import FakeSlack, serve_fake_slack

TOKEN = "xoxb-test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = FakeSlack(users={"U0ANA": "ana.rossi@acme.example"})
    async with serve_fake_slack(fake) as url:
        yield fake, url


async def test_a_user_found_by_email_is_asked_of_slack_once_an_hour(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    clock = Clock()
    people = SlackWebPeople(build_web_client(TOKEN, url), clock)
    assert await people.user_by_email("ana.rossi@acme.example") == "U0ANA"
    assert await people.user_by_email(" Ana.Rossi@acme.example") == "U0ANA"
    assert len(fake.called("users.lookupByEmail")) == 1

    fake.users = {"U0ANA2": "ana.rossi@acme.example"}  # her account was replaced
    clock.now += EMAIL_KNOWN_FOR - 1
    assert await people.user_by_email("ana.rossi@acme.example") == "U0ANA"
    clock.now += 1
    assert await people.user_by_email("ana.rossi@acme.example") == "U0ANA2"
    assert len(fake.called("users.lookupByEmail")) == 2


async def test_an_email_with_no_slack_user_is_asked_again_after_five_minutes(
    slack: tuple[FakeSlack, str],
) -> None:
    fake, url = slack
    clock = Clock()
    people = SlackWebPeople(build_web_client(TOKEN, url), clock)
    assert await people.user_by_email("new.hire@acme.example") is None
    assert await people.user_by_email("new.hire@acme.example") is None
    assert len(fake.called("users.lookupByEmail")) == 1

    fake.users["U0NEW"] = "new.hire@acme.example"  # joined Slack since
    clock.now += EMAIL_UNKNOWN_FOR
    assert await people.user_by_email("new.hire@acme.example") == "U0NEW"


async def test_a_lookup_that_fails_is_not_remembered(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    people = SlackWebPeople(build_web_client(TOKEN, url), Clock())
    fake.answers["users.lookupByEmail"] = lambda _: {"ok": False, "error": "fatal_error"}
    with pytest.raises(Exception, match="fatal_error"):
        await people.user_by_email("ana.rossi@acme.example")
    del fake.answers["users.lookupByEmail"]
    assert await people.user_by_email("ana.rossi@acme.example") == "U0ANA"


async def test_a_dm_channel_is_opened_once_and_again_after_slack_refuses_it(
    slack: tuple[FakeSlack, str],
) -> None:
    fake, url = slack
    poster = SlackPoster(build_web_client(TOKEN, url))
    message = SlackMessage(text="hello", blocks=[])
    assert (await poster.dm("U0ANA", message))[0] == "D0ANA"
    assert (await poster.dm("U0ANA", message))[0] == "D0ANA"
    assert [c["users"] for c in fake.called("conversations.open")] == ["U0ANA"]

    fake.answers["chat.postMessage"] = lambda _: {"ok": False, "error": "channel_not_found"}
    with pytest.raises(Exception, match="channel_not_found"):
        await poster.dm("U0ANA", message)
    del fake.answers["chat.postMessage"]
    await poster.dm("U0ANA", message)
    assert [c["users"] for c in fake.called("conversations.open")] == ["U0ANA", "U0ANA"]
    assert [p["channel"] for p in fake.called("chat.postMessage")] == ["D0ANA"] * 4  # the third refused


def test_the_cache_keeps_the_keys_used_last() -> None:
    clock = Clock()
    cache: TimedCache[str, int] = TimedCache(2, clock)
    cache.put("a", 1, 10)
    cache.put("b", 2, 10)
    assert cache.get("a") == (True, 1)  # "a" used last: "b" goes first
    cache.put("c", 3, 10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ((True, 1), (False, None), (True, 3))
    clock.now += 10
    assert cache.get("a") == (False, None)
