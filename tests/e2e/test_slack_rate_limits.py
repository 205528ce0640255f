"""A real `staffdesk serve` whose Slack Web API answers 429 with Retry-After: it waits and tries again,
and nothing it had to say is lost."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import httpx

from app.domain.requests import AllocationPayload
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import CHANNEL, SLACK_USERS, eventually, sign
from tests.e2e.processes import add_approved, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox


async def test_rate_limited_web_api_calls_are_waited_out_and_made_once_they_are_allowed(
    fresh_database_url: str, tmp_path: Path
) -> None:
    slack = FakeSlack(users=dict(SLACK_USERS))
    slack.limit_next("views.open", retry_after=1)
    slack.limit_next("chat.postMessage", retry_after=1, times=2)
    async with running_sandbox() as sandbox, serve_fake_slack(slack) as slack_url:
        server, url = await start_serve(serve_env(sandbox.env, slack_url, fresh_database_url), tmp_path)
        engine = database.create_engine(fresh_database_url)
        try:
            body = urlencode(
                {
                    "command": "/allocate",
                    "text": "",
                    "user_id": "U0GIULIA",
                    "channel_id": CHANNEL,
                    "team_id": "T0ACME",
                    "trigger_id": f"trigger-{time.monotonic_ns()}",
                    "response_url": f"{slack_url.removesuffix('api/')}response/cmd",
                }
            )
            async with httpx.AsyncClient() as http:
                answered = await http.post(f"{url}/slack/events", content=body, headers=sign(body))
            await eventually(lambda: len(slack.called("views.open")) == 2, seconds=20)

            payload = AllocationPayload(person_id=13, project_id=1000, dates=(date(2026, 12, 9),), hours=3)
            async with SqlUnitOfWork(database.session_factory(engine)) as uow:
                await add_approved(uow, payload)
                await uow.commit()
            await eventually(lambda: len(slack.called("chat.postMessage")) == 3, seconds=30)
        finally:
            await stop(server)
            await engine.dispose()
    assert answered.status_code == 200
    first_try, second_try = slack.called("views.open")
    assert first_try["view"] == second_try["view"]
    posts = slack.called("chat.postMessage")
    assert len({p["text"] for p in posts}) == 1  # the same message, sent until Slack took it
    assert posts[0]["text"].startswith(":tada: Done: Allocated")
    assert slack.rate_limited == {"views.open": [], "chat.postMessage": []}
