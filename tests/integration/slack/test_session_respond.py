"""Answers to a response_url go over the Web API client's HTTP session, one connection for many answers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp

from app.slack.web_client import SessionRespond, build_web_client
from tests.fake_slack import FakeSlack, serve_fake_slack


async def test_answers_to_a_response_url_share_the_clients_connections() -> None:
    connections: list[Any] = []

    async def connected(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        connections.append(params)

    tracing = aiohttp.TraceConfig()
    tracing.on_connection_create_end.append(connected)
    fake = FakeSlack(users={})
    async with serve_fake_slack(fake) as api_url, aiohttp.ClientSession(trace_configs=[tracing]) as session:
        client = build_web_client("xoxb-test", api_url)
        client.session = session
        response_url = api_url.removesuffix("api/") + "response/T1"
        for number in range(3):
            answer = await SessionRespond(response_url, client)(
                text=f"answer {number}", response_type="ephemeral", replace_original=False
            )
            assert answer.status_code == 200
    assert [r["text"] for r in fake.responses] == ["answer 0", "answer 1", "answer 2"]
    assert fake.responses[0] == {"text": "answer 0", "response_type": "ephemeral", "replace_original": False}
    assert len(connections) == 1
