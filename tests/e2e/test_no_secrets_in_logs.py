"""While the app works with real-looking tokens set, no token or secret reaches a log line."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from app.observability import RedactingFormatter
from app.slack.ids import Action
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, allocation_values, eventually, running_world


async def test_no_token_or_secret_appears_in_any_log_line(engine: AsyncEngine, tmp_path: Path) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        async with running_world(engine, tmp_path, disabled=()) as world:
            await world.command("/allocate", "", "U0MARTA")
            await eventually(lambda: bool(world.slack.called("views.open")))
            values = allocation_values("U0MARTA", "2026-12-21", None, "3")
            await world.submit(world.last_view(), values, "U0MARTA")
            await eventually(
                lambda: any("Request sent" in json.dumps(v) for v in world.slack.called("views.update"))
            )
            await world.click(Action.APPROVE, json.dumps({"request_id": "no-such-request"}), "U0ANA")
            await world.deliver()
            env = world.sandbox.env
            secrets = [
                BOT_TOKEN,
                SIGNING_SECRET,
                env["WETHOD_TOKEN"],
                env["MISSIONX_CLIENT_SECRET"],
                env["PROCORE_CLIENT_SECRET"],
                *world.sandbox.missionx.state.tokens,
                *world.sandbox.procore.state.tokens,
            ]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    text = captured.getvalue()
    assert len(text) > 1_000  # the app did log, at debug level, as it worked
    assert len(secrets) > 5  # the upstreams issued access tokens, which must not show either
    for secret in secrets:
        assert secret not in text
