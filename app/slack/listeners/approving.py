"""An approver's own actions besides one decision: several at once, and back from being away."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from app import i18n
from app.domain.errors import StaffdeskError
from app.services import queries
from app.services.absences import come_back
from app.services.approvals import SeveralApproved, approve_several
from app.slack.blocks.common import joined
from app.slack.blocks.decisions import build_notice_view
from app.slack.blocks.escape import Mrkdwn
from app.slack.blocks.messages import request_title
from app.slack.deps import SlackDeps
from app.slack.errors import error_markup, reporting_errors
from app.slack.ids import Action
from app.slack.listeners.home import publish_home
from app.slack.locale import t


def picked(body: dict[str, Any]) -> list[str]:
    """The request ids whose boxes are ticked, in App Home or in a /staffing pending message."""
    state = (body.get("view") or {}).get("state") or body.get("state") or {}
    ids: list[str] = []
    for block in (state.get("values") or {}).values():
        element = block.get(Action.PICK) or {}
        ids += [str(o["value"]) for o in element.get("selected_options") or []]
    return ids


async def several_text(deps: SlackDeps, result: SeveralApproved) -> Mrkdwn:
    """Which went through and which were refused, and why, one line each."""
    lines = []
    for request in result.approved:
        desc = await queries.describe(deps.read_uow_factory, request, deps.approvals.lookups())
        lines.append(t(":white_check_mark: Approved: {request}", request=request_title(desc)))
    for request_id, error in result.refused:
        try:
            request = await queries.get_request(deps.read_uow_factory, request_id)
            title = request_title(
                await queries.describe(deps.read_uow_factory, request, deps.approvals.lookups())
            )
        except StaffdeskError:
            title = t("a request that no longer exists")
        lines.append(
            t(":no_entry_sign: Not approved: {request}: {why}", request=title, why=error_markup(error))
        )
    return joined(lines, "\n")


def nothing_picked_view() -> dict[str, Any]:
    """What pressing "approve the ticked ones" with no box ticked says."""
    text = t("Tick the box of each request to approve, then press the button again.")
    return build_notice_view(i18n.t("Nothing picked"), text)


def several_title(result: SeveralApproved, picked: int) -> str:
    """How many of the requests picked went through: "2 of 3 approved"."""
    return i18n.n(
        "{count} of {total} approved", "{count} of {total} approved", len(result.approved), total=picked
    )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(Action.PICK)
    async def handle_pick(ack: AsyncAck) -> None:
        await ack()  # a box ticked: read when the approver presses the button

    @app.action(Action.APPROVE_SELECTED)
    @reporting_errors
    async def handle_approve_selected(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        chosen = picked(body)
        if not chosen:
            await client.views_open(trigger_id=body["trigger_id"], view=nothing_picked_view())
            return
        result = await approve_several(deps.approvals, chosen, body["user"]["id"])
        view = build_notice_view(several_title(result, len(chosen)), await several_text(deps, result))
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        for request in result.approved:
            await deps.notifier.send_for(request.id)
        if (body.get("view") or {}).get("type") == "home":
            await publish_home(deps, client, body["user"]["id"])

    @app.action(Action.BACK)
    @reporting_errors
    async def handle_back_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await come_back(deps.approvals, body["user"]["id"])
        await publish_home(deps, client, body["user"]["id"])
