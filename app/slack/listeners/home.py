"""App Home: my requests and the approvals waiting for me, published when the tab opens."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from app.services import queries
from app.slack.blocks.home import build_home
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    @reporting_errors
    async def handle_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        mine = await queries.requests_of(deps.read_uow_factory, user)
        waiting = await queries.waiting_for(deps.read_uow_factory, user)
        home = build_home(
            await queries.describe_all(deps.read_uow_factory, mine),
            await queries.describe_all(deps.read_uow_factory, waiting),
        )
        await client.views_publish(user_id=user, view=home)
