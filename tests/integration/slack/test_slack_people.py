"""Who someone is in Slack, asked of the Web API through SLACK_API_URL, with rate limits waited out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.slack.people import SlackWebPeople
from app.slack.web_client import build_web_client
from tests.fake_slack import FakeSlack, serve_fake_slack

TOKEN = "xoxb-1111111111-2222222222-FakeSlackTestToken"


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackWebPeople]]:
    fake = FakeSlack(users={"U0ANA": "ana@acme.example", "U0IRENE": "irene@acme.example"})
    fake.usergroups["resourcing"] = frozenset({"U0IRENE"})
    async with serve_fake_slack(fake) as url:
        yield fake, SlackWebPeople(build_web_client(TOKEN, url))


async def test_a_users_email_comes_from_users_info(slack: tuple[FakeSlack, SlackWebPeople]) -> None:
    fake, people = slack
    assert await people.email_of("U0ANA") == "ana@acme.example"
    assert await people.email_of("U0GHOST") is None
    assert fake.calls[0].method == "users.info"
    assert fake.calls[0].token == TOKEN


async def test_a_user_is_found_by_email(slack: tuple[FakeSlack, SlackWebPeople]) -> None:
    _, people = slack
    assert await people.user_by_email("irene@acme.example") == "U0IRENE"
    assert await people.user_by_email("nobody@acme.example") is None


async def test_usergroup_members_are_found_by_handle(slack: tuple[FakeSlack, SlackWebPeople]) -> None:
    _, people = slack
    assert await people.usergroup_members("resourcing") == {"U0IRENE"}
    assert await people.usergroup_members("@resourcing") == {"U0IRENE"}
    assert await people.usergroup_members("nobody") == frozenset()


async def test_a_rate_limited_call_is_retried_after_the_wait_slack_asks_for(
    slack: tuple[FakeSlack, SlackWebPeople],
) -> None:
    fake, people = slack
    fake.limit_next("users.info", retry_after=1)
    assert await people.email_of("U0ANA") == "ana@acme.example"
    assert [c.method for c in fake.calls] == ["users.info", "users.info"]
