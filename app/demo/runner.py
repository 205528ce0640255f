"""The whole demo in one process: the sandbox upstreams, the Slack stand-in and its page, and the bot on a
temporary SQLite database with the demo policy, each on a loopback port; stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app import wiring
from app.demo.client import SlackClient
from app.demo.outgoing import SignedSender
from app.demo.page import build_stand_in
from app.demo.store import SlackState
from app.demo.web_api import WebApi
from app.demo.workspace import CHANNEL_ID, Workspace, demo_policy, demo_workspace
from app.policy.file import load_policy
from app.sandbox.core import serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.runner import build_simulators
from app.services.directory import refresh_directory
from app.settings import Settings
from app.storage import migrate

log = logging.getLogger("staffdesk.demo")
HOST = "127.0.0.1"


class PortTaken(Exception):
    """The page's port is in use."""


@dataclass(frozen=True)
class Demo:
    page_url: str
    app_url: str
    upstreams: dict[str, str]
    workspace: Workspace
    state: SlackState
    client: SlackClient
    folder: Path  # the temporary database's, deleted when the demo stops


def check_port(port: int) -> None:
    """Refuse a port something already listens on, before starting anything."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            raise PortTaken(f"port {port} on {HOST} is in use; choose another with --port") from None


def _secrets() -> tuple[str, str]:
    """A signing secret and a bot token for this run only."""
    digits = "".join(str(secrets.randbelow(10)) for _ in range(20))
    return secrets.token_hex(16), f"xoxb-{digits[:10]}-{digits[10:]}-{secrets.token_urlsafe(18)}"


@asynccontextmanager
async def running_demo(port: int = 8080) -> AsyncIterator[Demo]:
    """Everything the demo runs, until the block ends; `port` is the page's (0: any free port)."""
    check_port(port)
    signing_secret, bot_token = _secrets()
    workspace = demo_workspace(demo_company())
    state = SlackState(workspace)
    sender = SignedSender(signing_secret)
    client = SlackClient(state, sender, base_url="")
    async with AsyncExitStack() as stack:
        stack.push_async_callback(sender.aclose)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="staffdesk-demo-")))
        upstreams: dict[str, str] = {}
        for simulator in build_simulators():
            url = await stack.enter_async_context(serve_in_background(simulator.app, host=HOST))
            upstreams |= simulator.settings_for(url)
        stand_in = build_stand_in(state, client, WebApi(state, bot_token))
        page_url = await stack.enter_async_context(serve_in_background(stand_in, host=HOST, port=port))
        stack.push_async_callback(state.close)
        client.base_url = page_url
        policy_file = folder / "policy.yml"
        policy_file.write_text(demo_policy(workspace), encoding="utf-8")
        settings = Settings.model_validate(
            {name.lower(): value for name, value in upstreams.items()}
            | {
                "slack_bot_token": bot_token,
                "slack_signing_secret": signing_secret,
                "slack_api_url": f"{page_url}/api/",
                "database_url": f"sqlite:///{folder / 'staffdesk.db'}",
                "staffdesk_policy": str(policy_file),
                "staffdesk_summary_channel": CHANNEL_ID,
                "staffdesk_operators": ",".join(workspace.resourcing),
            }
        )
        container = wiring.build_container(settings, load_policy(policy_file))
        stack.push_async_callback(container.engine.dispose)
        await migrate.upgrade(container.engine)
        for source in container.directory_sources:
            await refresh_directory(source, container.unit_of_work, container.clock)
        app = wiring.build_http_app(container)
        await stack.enter_async_context(app.router.lifespan_context(app))
        sender.app_url = await stack.enter_async_context(serve_in_background(app, host=HOST))
        yield Demo(page_url, sender.app_url, upstreams, workspace, state, client, folder)


def next_working_days(today: date, count: int) -> list[date]:
    """The first `count` working days of next week."""
    monday = today + timedelta(days=7 - today.weekday())
    return [monday + timedelta(days=n) for n in range(count)]


def banner(demo: Demo, today: date) -> str:
    names = demo.workspace.names()
    cast = "\n".join(f"  - {names[part.user_id]}: {part.part}" for part in demo.workspace.cast)
    first, second = next_working_days(today, 2)
    requester = demo.workspace.user(demo.workspace.cast[0].user_id)
    handle = requester.name if requester else "marta"
    upstreams = ", ".join(f"{k}={v}" for k, v in sorted(demo.upstreams.items()) if k.endswith("_URL"))
    return (
        f"Staffdesk demo: open {demo.page_url}/ in a browser.\n"
        f"Pick who you are, then try the commands in #staffing. The cast:\n{cast}\n"
        f"For example, as {names[demo.workspace.cast[0].user_id]}: "
        f"/allocate @{handle} apollo {first}..{second} 4h\n"
        f"The bot answers Slack at {demo.app_url}/slack/events; the simulators: {upstreams}\n"
        "Everything runs on this machine with a temporary database. Ctrl-C stops it all."
    )


async def run_demo(port: int) -> int:
    """Run the demo until Ctrl-C or SIGTERM; 0 when it stopped cleanly, 1 when it could not start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stopping in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(stopping, stop.set)
    try:
        async with running_demo(port) as demo:
            print(banner(demo, date.today()), flush=True)
            await stop.wait()
    except PortTaken as taken:
        print(f"staffdesk: {taken}", file=sys.stderr, flush=True)
        return 1
    log.info(
        "demo stopped: the bot, the stand-in and the simulators are down, the temporary database is gone"
    )
    return 0
