"""App Home: published when the tab opens; its buttons open the request modals the slash commands open."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.upstreams import UPSTREAM_OF_KIND
from app.i18n import t
from app.services import queries
from app.services.absences import absence_of
from app.services.team_week import team_week
from app.slack.blocks.decisions import build_notice_view
from app.slack.blocks.escape import escape
from app.slack.blocks.home import START_KINDS, build_home
from app.slack.blocks.inputs import Draft
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors
from app.slack.listeners.resubmit import modal_for
from app.slack.metadata import ModalContext

START_ACTIONS = re.compile("^(" + "|".join(map(re.escape, START_KINDS)) + ")$")


async def publish_home(deps: SlackDeps, client: AsyncWebClient, user: str) -> None:
    """The user's App Home as it stands now."""
    mine = await queries.requests_of(deps.read_uow_factory, user)
    waiting = await queries.waiting_for(deps.read_uow_factory, user)
    week = await team_week(
        deps.read_uow_factory,
        deps.allocation_reader,
        deps.approvals.identities,
        user,
        deps.approvals.today(),
        calendar=deps.summaries.calendar,
    )
    home = build_home(
        await queries.describe_all(deps.read_uow_factory, mine, deps.approvals.lookups()),
        await queries.describe_all(deps.read_uow_factory, waiting, deps.approvals.lookups()),
        enabled=deps.enabled,
        week=week,
        away=await absence_of(deps.approvals, user),
    )
    await client.views_publish(user_id=user, view=home)


def not_set_up_view(problem: str) -> dict[str, Any]:
    """What a start button says when its system is not set up: `problem`, plain text in the reader's
    language."""
    return build_notice_view(t("Not set up"), escape(problem))


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    @reporting_errors
    async def handle_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(deps, client, event["user"])

    @app.action(START_ACTIONS)
    @reporting_errors
    async def handle_start_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        kind = START_KINDS[body["actions"][0]["action_id"]]
        if problem := deps.not_configured(UPSTREAM_OF_KIND[kind]):
            view = not_set_up_view(problem)
        else:
            view = modal_for(deps, ModalContext(kind=kind), Draft())
        await client.views_open(trigger_id=body["trigger_id"], view=view)
