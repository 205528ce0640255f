"""The Bolt app: every listener registered, one error handler, every Web API call through SLACK_API_URL."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from app.services.directory import RecentSearches
from app.slack.deps import SlackDeps
from app.slack.listeners import actions, commands, home, options, views
from app.slack.listeners.errors import ACK_BUDGET_SECONDS, IN_TIME, handle_error


def build_slack_app(client: AsyncWebClient, signing_secret: str, deps: SlackDeps) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        logger=logging.getLogger("staffdesk.bolt"),
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    async def note_arrival(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        received = deps.monotonic()
        context[IN_TIME] = lambda: deps.monotonic() - received <= ACK_BUDGET_SECONDS
        await next()

    commands.register(app, deps)
    views.register(app, deps)
    actions.register(app, deps)
    options.register(app, RecentSearches(deps.read_uow_factory))
    home.register(app, deps)
    app.error(handle_error)
    return app
