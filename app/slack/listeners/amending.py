"""Undo and Change clicks on a delivered request: an undo is asked at once, a change opens its form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.placement import AmendAction
from app.services.amendments import amendable, undo_request
from app.services.approvals import Submitted
from app.slack.blocks.common import joined, user
from app.slack.blocks.escape import Mrkdwn
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors
from app.slack.ids import Action
from app.slack.listeners.actions import allocation_form
from app.slack.listeners.resubmit import draft_of_request
from app.slack.locale import n, t
from app.slack.metadata import ModalContext, RequestRef


def _ref(body: dict[str, Any]) -> RequestRef:
    return RequestRef.model_validate_json(body["actions"][0]["value"])


def undo_asked_text(submitted: Submitted) -> Mrkdwn:
    """What the person who clicked Undo hears: done by them, or sent to whom for approval."""
    if submitted.auto_approved:
        return t(
            ":leftwards_arrow_with_hook: You may do this yourself, so the undo is on its way. The request's "
            "thread says when it is done."
        )
    approvers = submitted.request.approvers
    asked = joined(map(user, approvers), t(" or "))
    return n(
        ":incoming_envelope: The undo needs approval: {who} is asked. You will hear in a DM when it "
        "is decided.",
        ":incoming_envelope: The undo needs approval: {who} are asked. You will hear in a DM when it "
        "is decided.",
        len(approvers),
        who=asked,
    )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(Action.UNDO)
    @reporting_errors
    async def handle_undo_click(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        submitted = await undo_request(deps.approvals, _ref(body).request_id, body["user"]["id"])
        await deps.notifier.send_for(submitted.request.id)
        await respond(text=undo_asked_text(submitted), response_type="ephemeral", replace_original=False)

    @app.action(Action.CHANGE)
    @reporting_errors
    async def handle_change_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request = await amendable(deps.approvals, _ref(body).request_id, AmendAction.CHANGE)
        draft = await draft_of_request(deps, request)
        meta = ModalContext(kind=request.kind, channel_id=request.channel_id, changes=request.id)
        await client.views_open(trigger_id=body["trigger_id"], view=await allocation_form(deps, draft, meta))
