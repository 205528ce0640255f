"""The Bolt app: every listener registered, one error handler, every Web API call through SLACK_API_URL."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from app.services.directory_index import DirectoryIndex
from app.slack.deps import SlackDeps
from app.slack.errors import ACK_BUDGET_SECONDS, IN_TIME, handle_error
from app.slack.listeners import actions, amending, approving, commands, home, options, views
from app.slack.locale import actors_locale
from app.slack.metadata import use_signing_key

log = logging.getLogger("staffdesk.slack")


def build_slack_app(
    client: AsyncWebClient, signing_secret: str, deps: SlackDeps, directory: DirectoryIndex
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        logger=logging.getLogger("staffdesk.bolt"),
        raise_error_for_unhandled_request=False,
    )
    use_signing_key(signing_secret or client.token or "")
    app.middleware(refuse_other_workspaces)

    @app.middleware
    async def note_arrival(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        received = deps.monotonic()
        context[IN_TIME] = lambda: deps.monotonic() - received <= ACK_BUDGET_SECONDS
        await next()

    app.middleware(actors_locale(client))
    commands.register(app, deps)
    views.register(app, deps)
    actions.register(app, deps)
    approving.register(app, deps)
    amending.register(app, deps)
    options.register(app, directory)
    home.register(app, deps)
    app.error(handle_error)
    return app


async def refuse_other_workspaces(
    context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Payloads from a workspace other than the one the bot token belongs to go no further."""
    if installed_here(context):
        await next()
        return None
    log.warning(
        "refused a Slack payload from workspace %.32r (enterprise %.32r): Staffdesk is not installed there",
        context.team_id,
        context.enterprise_id,
    )
    return BoltResponse(status=403, body="")


def installed_here(context: AsyncBoltContext) -> bool:
    """Whether a payload comes from where the bot token is installed, as auth.test told Bolt (once per
    process): its workspace, or for an organisation-wide install (no workspace of its own) its Enterprise
    Grid organisation."""
    installed = context.authorize_result
    if installed is None:
        return False
    if installed.team_id and installed.team_id != installed.enterprise_id:
        return context.team_id == installed.team_id
    return installed.enterprise_id is not None and context.enterprise_id == installed.enterprise_id
