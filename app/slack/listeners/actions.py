"""Button clicks and live modal updates: approve, reject, cancel, fix and resubmit, preview and warnings."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app import i18n
from app.domain.errors import UpstreamUnavailable
from app.domain.requests import AllocationPayload, RequestKind, StaffingRequest
from app.domain.upstreams import Upstream, person_kind
from app.i18n import current_reader
from app.services import queries
from app.services.amendments import preview_change
from app.services.approvals import approve_request, cancel_request
from app.services.directory import find_person
from app.slack.blocks.amends import change_preview_text
from app.slack.blocks.common import user
from app.slack.blocks.decisions import (
    build_approve_changes_modal,
    build_approve_note_modal,
    build_reject_modal,
)
from app.slack.blocks.inputs import Draft
from app.slack.blocks.modals import (
    build_allocation_modal,
    build_whitelist_modal,
    people_preview_text,
    preview_text,
    when_understood,
    whitelist_off_text,
)
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.blocks.states import status_word
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors
from app.slack.forms import allocation_days, allocation_hours, read_draft, with_when
from app.slack.ids import Action, Block
from app.slack.listeners.resubmit import draft_of_request, modal_for
from app.slack.locale import t
from app.slack.metadata import ModalContext, RequestRef, read_metadata
from app.slack.modal_steps import people_in, person_in, picked_project, update_view

log = logging.getLogger("staffdesk.slack")
DECISION_FORMS = re.compile(f"^({Action.REJECT}|{Action.APPROVE_NOTE}|{Action.APPROVE_CHANGES})$")
LIVE_INPUTS = re.compile(
    f"^({Action.PERSON}|{Action.PROJECT}|{Action.START}|{Action.END}|{Action.HOURS}|{Action.WHEN})$"
)


def _ref(body: dict[str, Any]) -> RequestRef:
    return RequestRef.model_validate_json(body["actions"][0]["value"])


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(Action.APPROVE)
    @reporting_errors
    async def handle_approve_click(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        request = await approve_request(deps.approvals, _ref(body).request_id, body["user"]["id"])
        await tell_decided(deps, request, respond)

    @app.action(DECISION_FORMS)
    @reporting_errors
    async def handle_decision_form_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Reject, Approve with a note, Approve with changes: each opens its form over the request."""
        await ack()
        request = await queries.get_request(deps.read_uow_factory, _ref(body).request_id)
        desc = await queries.describe(deps.read_uow_factory, request, deps.approvals.lookups())
        view = decision_form(body["actions"][0]["action_id"], desc)
        if view is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.CANCEL)
    @reporting_errors
    async def handle_cancel_click(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        request = await cancel_request(deps.approvals, _ref(body).request_id, body["user"]["id"])
        await tell_decided(deps, request, respond)

    @app.action(Action.RESUBMIT)
    @reporting_errors
    async def handle_resubmit_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request = await queries.get_request(deps.read_uow_factory, _ref(body).request_id)
        draft = await draft_of_request(deps, request)
        meta = ModalContext(kind=request.kind, channel_id=request.channel_id, resubmit_of=request.id)
        await client.views_open(trigger_id=body["trigger_id"], view=modal_for(deps, meta, draft))

    @app.action(LIVE_INPUTS)
    @reporting_errors
    async def handle_wethod_form_change(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        meta = read_metadata(ModalContext, body["view"]["private_metadata"])
        draft = read_draft(body["view"]["state"]["values"])
        if meta.kind is RequestKind.ALLOCATION:
            form = await allocation_form(deps, draft, meta)
        elif meta.kind is RequestKind.WHITELIST:
            form = await whitelist_form(deps, draft, meta)
        else:
            return
        await update_view(client, body["view"]["id"], form, body["view"]["hash"])

    @app.action(Action.UPSTREAM)
    @reporting_errors
    async def handle_upstream_change(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        upstream = Upstream(body["actions"][0]["selected_option"]["value"])
        kind = person_kind(upstream)
        old = read_metadata(ModalContext, body["view"]["private_metadata"])
        meta = old.model_copy(update={"kind": kind, "upstream": upstream})
        draft = read_draft(body["view"]["state"]["values"])
        form = build_project_person_modal(Draft(texts=draft.texts), meta, deps.person_upstreams())
        await update_view(client, body["view"]["id"], form, body["view"]["hash"])


def decision_form(action: str, desc: queries.RequestDescription) -> dict[str, Any] | None:
    """The form a decision button opens; None for changes to anything but an allocation."""
    if action == Action.REJECT:
        return build_reject_modal(desc)
    if action == Action.APPROVE_NOTE:
        return build_approve_note_modal(desc)
    payload = desc.request.payload
    return build_approve_changes_modal(desc, payload) if isinstance(payload, AllocationPayload) else None


async def tell_decided(deps: SlackDeps, request: StaffingRequest, respond: AsyncRespond) -> None:
    """The decision is stored: every copy will show it. When Slack does not take the update now, the
    clicker hears what was decided from the click's own answer, and the messages follow later."""
    if await deps.notifier.send_for(request.id):
        return
    text = t(
        "{status}: this is saved. Slack is slow to answer just now, so the request's messages will show it "
        "as soon as Slack does.",
        status=status_word(request.status).capitalize(),
    )
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as error:
        log.warning("could not answer a click on request %s (%s)", request.id, type(error).__name__)


async def _preview(deps: SlackDeps, draft: Draft, changes: str | None = None) -> str:
    """The days the allocation would create and the hours already there (for a change: what it would add,
    set, delete and keep), or what is still missing."""
    errors: dict[str, str] = {}
    calendar = deps.summaries.calendar
    days, hours = allocation_days(draft, errors, calendar), allocation_hours(draft, errors)
    if errors or draft.user_id is None or deps.allocation_reader is None or hours is None:
        return preview_text(None, next(iter(errors.values()), None) if draft.start and draft.hours else None)
    people = await people_in(deps, draft, Upstream.WETHOD, errors)
    if people is None:
        return preview_text(None, errors.get(Block.PERSON))
    person_id = people[0]
    skipped = calendar.holidays_between(draft.start, draft.end or draft.start) if draft.start else []
    if len(people) > 1:
        return await _people_preview(deps, people, days, hours, skipped)
    if changes is not None and draft.project is not None and days:
        after = AllocationPayload(
            person_id=int(person_id), project_id=int(draft.project.value), dates=tuple(days), hours=hours
        )
        return change_preview_text(await preview_change(deps.approvals, changes, after), after, days[0].year)
    try:
        preview = await queries.preview_allocation(deps.allocation_reader, int(person_id), days, hours)
    except UpstreamUnavailable as error:
        return preview_text(None, _not_shown(error))
    return preview_text(preview, holidays=skipped)


async def _people_preview(
    deps: SlackDeps, people: list[str], days: list[date], hours: int, holidays: list[tuple[date, str]]
) -> str:
    """Each person's days with the hours they already have."""
    assert deps.allocation_reader is not None
    named = {p.upstream_id: p.name for p in await deps.approvals.lookups().people(Upstream.WETHOD, people)}
    previews = []
    try:
        for person_id in people:
            preview = await queries.preview_allocation(deps.allocation_reader, int(person_id), days, hours)
            previews.append((named.get(person_id) or i18n.t("Wethod person {id}", id=person_id), preview))
    except UpstreamUnavailable as error:
        return preview_text(None, _not_shown(error))
    return people_preview_text(previews, days[0].year, holidays)


def _not_shown(error: UpstreamUnavailable) -> str:
    return i18n.t("The hours already allocated cannot be shown: {reason}", reason=error.reason)


async def allocation_form(deps: SlackDeps, draft: Draft, meta: ModalContext) -> dict[str, Any]:
    """The allocation form with its day-by-day preview, once the fields it needs are filled in, and what
    the days in words were understood as."""
    errors: dict[str, str] = {}
    read = with_when(draft, deps.approvals.today(), current_reader().locale, errors)
    said = errors.get(Block.WHEN)
    if draft.texts.get(Action.WHEN) and said is None and read.start and read.end:
        said = when_understood(read.start, read.end, deps.approvals.today().year)
    return build_allocation_modal(draft, meta, await _preview(deps, read, meta.changes), said)


async def whitelist_form(deps: SlackDeps, draft: Draft, meta: ModalContext) -> dict[str, Any]:
    """The whitelist form, warning when the picked project's timesheet whitelist is off in Wethod, where an
    entry "takes effect only if the whitelist is enabled for the project"."""
    project = await picked_project(deps, draft, Upstream.WETHOD)
    if project is None or project.whitelist_enabled is not False:
        return build_whitelist_modal(draft, meta)
    warning = whitelist_off_text(project.name, await _wethod_name(deps, draft.user_id))
    return build_whitelist_modal(draft, meta, warning)


async def _wethod_name(deps: SlackDeps, slack_user_id: str | None) -> str | None:
    """The picked person's name in Wethod; their Slack mention when Wethod does not know them."""
    if slack_user_id is None:
        return None
    person_id = await person_in(deps, slack_user_id, Upstream.WETHOD, {})
    person = await find_person(deps.read_uow_factory, Upstream.WETHOD, person_id) if person_id else None
    return person.name if person else user(slack_user_id)
