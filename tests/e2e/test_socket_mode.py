"""Socket Mode: the app connects with its app-level token and answers a slash command over the socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from sqlalchemy.ext.asyncio import AsyncEngine

from app.policy.file import parse_policy
from app.wiring import build_container, build_http_app
from tests.e2e.harness import BOT_TOKEN, POLICY, SLACK_USERS, eventually
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

APP_TOKEN = "xapp-1-A0STAFF-5555555555-SocketModeTokenValue"


class FakeSocketServer:
    """Says hello, sends one slash command envelope, and keeps what the app sends back."""

    def __init__(self, envelope: dict[str, Any]) -> None:
        self.envelope = envelope
        self.received: list[dict[str, Any]] = []

    async def link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        await socket.send_str(json.dumps(self.envelope))
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.received.append(json.loads(message.data))
        return socket


@asynccontextmanager
async def serve_socket(server: FakeSocketServer) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/link", server.link)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"ws://127.0.0.1:{port}/link"
    finally:
        await runner.cleanup()


async def test_a_slash_command_over_socket_mode_is_acknowledged_and_answered(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    fake = FakeSlack(users=dict(SLACK_USERS))
    async with running_sandbox() as sandbox, serve_fake_slack(fake) as slack_url:
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "command": "/staffing",
                "text": "help",
                "user_id": "U0MARTA",
                "channel_id": "C0X",
                "team_id": "T0ACME",
                "trigger_id": "t1",
                "response_url": f"{slack_url.removesuffix('api/')}response/socket",
            },
        }
        server = FakeSocketServer(envelope)
        async with serve_socket(server) as ws_url:
            fake.answers["apps.connections.open"] = lambda params: {"ok": True, "url": ws_url}
            settings = sandbox.settings(
                SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=slack_url
            )
            container = build_container(settings, parse_policy(POLICY, tmp_path / "p.yml"), engine=engine)
            app = build_http_app(container, socket_token=APP_TOKEN)
            async with app.router.lifespan_context(app):
                await eventually(lambda: bool(server.received) and bool(fake.responses))
    (opened,) = [c for c in fake.calls if c.method == "apps.connections.open"]
    assert opened.token == APP_TOKEN
    assert server.received[0]["envelope_id"] == "env-1"
    assert "/allocate" in fake.responses[0]["text"]
    assert fake.responses[0]["response_type"] == "ephemeral"
