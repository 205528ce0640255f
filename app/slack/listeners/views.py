"""Modal submissions: field errors next to their fields, else the request is submitted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.directory import DirectoryProject
from app.domain.errors import StaffdeskError
from app.domain.requests import AllocationPayload, NewRequest, StaffingRequest
from app.domain.upstreams import UPSTREAM_OF_KIND, Upstream
from app.i18n import current_reader, mark, t
from app.services.amendments import change_request
from app.services.approvals import approve_request, approve_with_changes, reject_request, submit_request
from app.slack.blocks.inputs import Draft
from app.slack.blocks.modals import build_allocation_modal, build_whitelist_modal
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.deps import SlackDeps
from app.slack.errors import first_field, reporting_errors, still_in_time, user_text
from app.slack.forms import (
    Checked,
    check_allocation,
    check_missionx,
    check_procore,
    check_whitelist,
    read_draft,
    with_when,
)
from app.slack.ids import Action, Block, Callback
from app.slack.metadata import ModalContext, RequestRef, read_metadata
from app.slack.modal_steps import (
    people_in,
    person_in,
    picked_project,
    submission_key,
    submit_and_tell,
    working_view,
)

log = logging.getLogger("staffdesk.slack")

TOO_BUSY = mark(
    "Staffdesk was too busy to check this in time, so nothing was sent. Press Submit again in a moment."
)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def finish(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        meta: ModalContext,
        checked: Checked,
        form: dict[str, Any],
    ) -> None:
        if checked.errors or checked.payload is None:
            await ack(
                response_action="errors", errors=checked.errors or {Block.PROJECT: t("Check this request.")}
            )
            return
        if not still_in_time(context):
            # Slack may already have told the user it failed; submitting now could make a request they
            # will send again. Nothing is submitted, and the form stays open for them to send again.
            log.warning("a submission could not be checked in time; its sender is asked to send it again")
            await ack(
                response_action="errors", errors={first_field(body["view"]) or Block.PROJECT: t(TOO_BUSY)}
            )
            return
        await ack(response_action="update", view=working_view())
        note = read_draft(body["view"]["state"]["values"]).texts.get(Action.NOTE)
        requester, key = body["user"]["id"], submission_key(body)
        if meta.changes is not None and isinstance(checked.payload, AllocationPayload):
            submitting = change_request(
                deps.approvals, meta.changes, requester, checked.payload, note=note, submission_key=key
            )
        else:
            new = NewRequest(
                payload=checked.payload,
                requester_id=requester,
                channel_id=meta.channel_id,
                submission_key=key,
                note=note,
            )
            submitting = submit_request(deps.approvals, new)
        await submit_and_tell(deps, client, body["view"]["id"], submitting, lambda: form)

    async def read_wethod_form(
        body: dict[str, Any], *, several: bool = False
    ) -> tuple[ModalContext, Draft, str | None, DirectoryProject | None, dict[str, str]]:
        """A Wethod modal's context and draft, the picked person's Wethod id (none looked up for a form of
        `several` people) and project, and any error."""
        meta = read_metadata(ModalContext, body["view"]["private_metadata"])
        draft = read_draft(body["view"]["state"]["values"])
        errors: dict[str, str] = {}
        person_id = None if several else await person_in(deps, draft.user_id, Upstream.WETHOD, errors)
        return meta, draft, person_id, await picked_project(deps, draft, Upstream.WETHOD), errors

    @app.view(Callback.ALLOCATION)
    @reporting_errors
    async def handle_allocation_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        meta, draft, _, project, errors = await read_wethod_form(body, several=True)
        draft = with_when(draft, deps.approvals.today(), current_reader().locale, errors)
        people = await people_in(deps, draft, Upstream.WETHOD, errors)
        checked = check_allocation(draft, people, project, deps.summaries.calendar)
        checked.errors = errors | checked.errors
        if Block.WHEN in errors:
            checked.errors.pop(Block.START, None)  # the days in words are what is wrong
        await finish(ack, body, client, context, meta, checked, build_allocation_modal(draft, meta))

    @app.view(Callback.WHITELIST)
    @reporting_errors
    async def handle_whitelist_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        meta, draft, person_id, project, errors = await read_wethod_form(body)
        checked = check_whitelist(person_id, project)
        checked.errors = errors | checked.errors
        await finish(ack, body, client, context, meta, checked, build_whitelist_modal(draft, meta))

    @app.view(Callback.PROJECT_PERSON)
    @reporting_errors
    async def handle_project_person_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        meta = read_metadata(ModalContext, body["view"]["private_metadata"])
        draft = read_draft(body["view"]["state"]["values"])
        upstream = UPSTREAM_OF_KIND[meta.kind]
        project = await picked_project(deps, draft, upstream)
        checked = (
            check_missionx(draft, project) if upstream is Upstream.MISSIONX else check_procore(draft, project)
        )
        form = build_project_person_modal(draft, meta, deps.person_upstreams())
        await finish(ack, body, client, context, meta, checked, form)

    async def decided_in_form(
        ack: AsyncAck, decide: Awaitable[StaffingRequest], field_of: Callable[[StaffdeskError], str]
    ) -> None:
        """A decision made from a form: refused with the words next to its field, else the form closes
        and every copy of the request shows the decision."""
        try:
            request = await decide
        except StaffdeskError as error:
            await ack(response_action="errors", errors={field_of(error): error_text(error)})
            return
        await ack()
        await deps.notifier.send_for(request.id)

    @app.view(Callback.APPROVE_CHANGES)
    @reporting_errors
    async def handle_approve_changes_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        ref = read_metadata(RequestRef, body["view"]["private_metadata"])
        values = body["view"]["state"]["values"]
        days = tuple(
            date.fromisoformat(o["value"])
            for o in values[Block.DAYS][Action.DAYS].get("selected_options") or []
        )
        hours = values[Block.HOURS][Action.HOURS].get("value") or ""
        if not hours.isdigit():
            await ack(response_action="errors", errors={Block.HOURS: t("Enter the hours as a whole number.")})
            return
        decide = approve_with_changes(
            deps.approvals, ref.request_id, body["user"]["id"], days, int(hours), _decision_note(values)
        )
        await decided_in_form(ack, decide, lambda e: Block.HOURS if e.field == "hours" else Block.DAYS)

    @app.view(Callback.APPROVE_NOTE)
    @reporting_errors
    async def handle_approve_note_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        ref = read_metadata(RequestRef, body["view"]["private_metadata"])
        note = _decision_note(body["view"]["state"]["values"])
        decide = approve_request(deps.approvals, ref.request_id, body["user"]["id"], note=note)
        await decided_in_form(ack, decide, lambda _: Block.DECISION_NOTE)

    @app.view(Callback.REJECT)
    @reporting_errors
    async def handle_reject_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
        ref = read_metadata(RequestRef, body["view"]["private_metadata"])
        reason = body["view"]["state"]["values"][Block.REASON]["reason"].get("value") or ""
        decide = reject_request(deps.approvals, ref.request_id, body["user"]["id"], reason)
        await decided_in_form(ack, decide, lambda _: Block.REASON)


def error_text(error: StaffdeskError) -> str:
    """What a refused decision says next to its field, in plain text in the reader's language."""
    return user_text(error)[0]


def _decision_note(values: dict[str, Any]) -> str | None:
    """The approver's optional note to the requester, as the decision forms hold it."""
    note: str | None = values.get(Block.DECISION_NOTE, {}).get(Action.DECISION_NOTE, {}).get("value")
    return note
