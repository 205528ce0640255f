"""The steps every request modal shares: who the picked person is, checking, submitting, telling."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app import i18n
from app.domain.directory import DirectoryProject
from app.domain.errors import StaffdeskError
from app.domain.requests import StaffingRequest
from app.domain.upstreams import Upstream
from app.services import queries
from app.services.approvals import Submitted
from app.slack.blocks.common import channel, context, joined, user
from app.slack.blocks.decisions import build_notice_view
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.inputs import Draft
from app.slack.deps import SlackDeps
from app.slack.errors import error_markup
from app.slack.ids import Block
from app.slack.locale import t

log = logging.getLogger("staffdesk.slack")

FIELD_BLOCKS = {"project": Block.PROJECT, "person": Block.PERSON}


def working_view() -> dict[str, Any]:
    """What a submitted form shows while Staffdesk checks who needs to approve it."""
    return build_notice_view(
        i18n.t("Sending…"), t(":hourglass: Staffdesk is checking who needs to approve this…")
    )


async def person_in(
    deps: SlackDeps, slack_user_id: str | None, upstream: Upstream, errors: dict[str, str]
) -> str | None:
    """The upstream person id of a picked Slack user; else an error (plain text) next to the person field."""
    if slack_user_id is None:
        errors[Block.PERSON] = i18n.t("Pick a person.")
        return None
    email, person_id = await deps.approvals.identities.link(slack_user_id, upstream)
    if email is None:
        errors[Block.PERSON] = i18n.t(
            "Slack does not share this person's e-mail with Staffdesk, so it cannot find them."
        )
    elif person_id is None:
        errors[Block.PERSON] = i18n.t(
            "No {system} person has this person's e-mail ({email}). "
            "Your Staffdesk administrator can add them to {system}.",
            system=upstream.label,
            email=email,
        )
    return person_id


async def people_in(
    deps: SlackDeps, draft: Draft, upstream: Upstream, errors: dict[str, str]
) -> list[str] | None:
    """The upstream person ids of every picked Slack user, in order; None, with an error next to the field
    naming who cannot be found, when one of them cannot."""
    if len(draft.people) <= 1:
        one = await person_in(deps, draft.user_id, upstream, errors)
        return [one] if one else None
    found: list[str] = []
    for slack_id in draft.people:
        own: dict[str, str] = {}
        person_id = await person_in(deps, slack_id, upstream, own)
        if person_id is None:
            errors[Block.PERSON] = i18n.t(
                "One of the people picked cannot be found. {why}", why=own[Block.PERSON]
            )
            return None
        found.append(person_id)
    return found


async def picked_project(deps: SlackDeps, draft: Draft, upstream: Upstream) -> DirectoryProject | None:
    return await deps.approvals.lookups().project(upstream, draft.project.value) if draft.project else None


async def update_view(
    client: AsyncWebClient, view_id: str, view: dict[str, Any], view_hash: str | None = None
) -> None:
    """Update a modal the user may have closed or changed meanwhile; either way is fine."""
    try:
        await client.views_update(view_id=view_id, view=view, hash=view_hash)
    except SlackApiError as error:
        if error.response.get("error") not in {"not_found", "hash_conflict"}:
            raise
        log.info("modal %s not updated (%s)", view_id, error.response.get("error"))


def with_problem(form: dict[str, Any], error: StaffdeskError) -> dict[str, Any]:
    """The form as filled in, with the problem right below the field it is about, or on top."""
    problem = context(markup(":warning: {}", error_markup(error)), block_id=Block.PROBLEM)
    blocks = list(form["blocks"])
    field = FIELD_BLOCKS.get(error.field or "")
    at = next((i + 1 for i, block in enumerate(blocks) if field and block.get("block_id") == field), 0)
    form["blocks"] = [*blocks[:at], problem, *blocks[at:]]
    return form


def submission_key(body: dict[str, Any]) -> str:
    """The same for a view submission however often Slack sends it: its view, version, sender and values."""
    view = body.get("view") or {}
    parts = [
        str((body.get("team") or {}).get("id")),
        str((body.get("user") or {}).get("id")),
        str(view.get("id")),
        str(view.get("hash")),
        json.dumps((view.get("state") or {}).get("values"), sort_keys=True),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


async def submit_and_tell(
    deps: SlackDeps,
    client: AsyncWebClient,
    view_id: str,
    submitting: Awaitable[Submitted],
    form_again: Callable[[], dict[str, Any]],
) -> None:
    """Submit; show where to follow it, or show the form again, as filled in, with the problem on top."""
    try:
        submitted = await submitting
    except StaffdeskError as error:
        await update_view(client, view_id, with_problem(form_again(), error))
        return
    if not await deps.notifier.send_for(submitted.request.id):
        text = t(
            ":hourglass: Your request is saved. Slack is slow to answer just now, so its messages will "
            "follow as soon as it does. Do not send it again: see it with `/staffing mine`."
        )
        await update_view(client, view_id, build_notice_view(i18n.t("Request saved"), text))
        return
    request = await queries.get_request(deps.read_uow_factory, submitted.request.id)
    await update_view(
        client, view_id, build_notice_view(i18n.t("Request sent"), sent_text(request, submitted))
    )


def sent_text(request: StaffingRequest, submitted: Submitted) -> Mrkdwn:
    """Where to follow a request just sent (its channel, else the requester's DMs), and who decides it."""
    in_channel = bool(request.channel_id and request.channel_id.startswith("C"))
    where = channel(request.channel_id or "")
    if submitted.auto_approved:
        if in_channel:
            return t(
                ":white_check_mark: You may do this yourself, so it is approved. Follow it in {channel}.",
                channel=where,
            )
        return t(":white_check_mark: You may do this yourself, so it is approved. Follow it in your DMs.")
    asked = joined(map(user, request.approvers), t(" or "))
    if in_channel:
        return t(
            ":incoming_envelope: Sent to {approvers} for approval. Follow it in {channel}.",
            approvers=asked,
            channel=where,
        )
    return t(":incoming_envelope: Sent to {approvers} for approval. Follow it in your DMs.", approvers=asked)
