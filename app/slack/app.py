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
from app.slack.locale import actors_locale, read_in_actors_locale
from app.slack.metadata import use_signing_key
from app.slack.people import UserLocales
from app.slack.web_client import SessionRespond

log = logging.getLogger("staffdesk.slack")


def build_slack_app(
    client: AsyncWebClient,
    signing_secret: str,
    deps: SlackDeps,
    directory: DirectoryIndex,
    *,
    signatures_checked_before: bool = False,
    locales: UserLocales | None = None,
) -> AsyncApp:
    """With `signatures_checked_before`, Bolt does not check Slack's signature again: every request it is
    given was checked already (as `app.web` does before it hands a request over). Each request is answered
    in the Slack locale of its user, as `locales` (shared with the outbox) tells it, or a cache of its own
    when none is given."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        logger=logging.getLogger("staffdesk.bolt"),
        raise_error_for_unhandled_request=False,
        request_verification_enabled=not signatures_checked_before,
    )
    use_signing_key(signing_secret or client.token or "")

    @app.middleware
    async def admit(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Payloads from a workspace other than the one the bot token belongs to go no further; the others
        are timed from here, and answered to their response_url over the Web API client's connections."""
        if not installed_here(context):
            return refused(context)
        received = deps.monotonic()
        context[IN_TIME] = lambda: deps.monotonic() - received <= ACK_BUDGET_SECONDS
        if context.response_url:
            context["respond"] = SessionRespond(context.response_url, client)
        await next()
        return None

    app.middleware(read_in_actors_locale(locales) if locales is not None else actors_locale(client))
    # Bolt tries each listener in the order registered until one matches, and every listener that does
    # not match costs about as much as a small listener: the most frequent payloads come first (option
    # loads, then commands and clicks). Listeners of different payload types never match the same
    # payload, and those of one type keep their order.
    options.register(app, directory)
    commands.register(app, deps)
    actions.register(app, deps)
    approving.register(app, deps)
    amending.register(app, deps)
    home.register(app, deps)
    views.register(app, deps)
    app.error(handle_error)
    return app


def refused(context: AsyncBoltContext) -> BoltResponse:
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
