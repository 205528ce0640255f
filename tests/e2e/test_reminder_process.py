"""A real `staffdesk serve` with `remind_after: 1m`: the approver's reminder DM arrives by itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.storage import database
from tests.e2e.harness import SLACK_USERS, eventually
from tests.e2e.processes import ROOT, ask_ana, directory_filled, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

MARTA, APOLLO = 13, 1000


async def test_the_reminder_dm_arrives_a_minute_after_the_question(
    fresh_database_url: str, tmp_path: Path
) -> None:
    policy = re.sub(
        r"remind_between: \S+", "remind_between: always", (ROOT / "policy.example.yml").read_text()
    )
    policy = re.sub(r"remind_after: \S+", "remind_after: 1m", policy)
    assert "remind_after: 1m" in policy
    (tmp_path / "policy.yml").write_text(policy)
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        server, _ = await start_serve(serve_env(sandbox.env, slack_url, fresh_database_url), tmp_path)
        try:
            await directory_filled(sessions, APOLLO, [SLACK_USERS["U0ANA"]])
            asked_at = datetime.now(UTC) - timedelta(seconds=50)  # asked 50 s ago: due in 10 s
            await ask_ana(sessions, person=MARTA, project=APOLLO, asked_at=asked_at)

            def to_ana() -> list[str]:
                return [p["text"] for p in fake.taken("chat.postMessage") if p["channel"] == "D0ANA"]

            await eventually(lambda: len(to_ana()) == 1, seconds=20)
            await eventually(lambda: len(to_ana()) == 2, seconds=60)  # the job looks every 30 s
            question, reminder = to_ana()
            assert question.startswith("Approval needed: Allocation:")
            assert reminder.startswith(":bell: Reminder: <@U0MARTA>'s request has waited ")
            assert "<https://acme.slack.com/archives/D0ANA/p" in reminder
        finally:
            await stop(server)
            await engine.dispose()
