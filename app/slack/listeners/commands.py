"""Slash commands: open the right modal at once, filled from the command text; /staffing answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.requests import RequestKind
from app.domain.upstreams import PEOPLE_UPSTREAMS, Upstream, person_kind
from app.i18n import current_reader, t
from app.slack.blocks.inputs import Draft
from app.slack.blocks.modals import build_allocation_modal, build_whitelist_modal
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors
from app.slack.listeners.actions import allocation_form, whitelist_form
from app.slack.listeners.staffing import staffing_answer
from app.slack.metadata import ModalContext
from app.slack.modal_steps import update_view
from app.slack.prefill import draft_of, echoed, with_project
from app.slack.text import ALLOCATION, PROJECT_PERSON, WHITELIST, Prefill, Takes, parse_command_text

Form = Callable[[Draft, ModalContext], dict[str, Any]]


async def _ack_if_on(ack: AsyncAck, deps: SlackDeps, upstreams: list[Upstream]) -> bool:
    """Ack; when none of `upstreams` is configured, the ack itself says what is missing."""
    if any(u in deps.enabled for u in upstreams):
        await ack()
        return True
    await ack(text=" ".join(filter(None, (deps.not_configured(u) for u in upstreams))))
    return False


def _person_upstream(deps: SlackDeps, text: str) -> tuple[Upstream, str, tuple[str, ...]]:
    """Where /add-person adds: the first enabled upstream the text names, else the first enabled one; the
    text without the upstream names; and a note for each name that cannot be used."""
    enabled = deps.person_upstreams()
    by_word = {u.value: u for u in PEOPLE_UPSTREAMS}
    named = [by_word[w.lower()] for w in text.split() if w.lower() in by_word]
    usable = [u for u in named if u in enabled]
    upstream = usable[0] if usable else enabled[0]
    notes = tuple(
        t("“{word}”: {system} is not set up in Staffdesk", word=u.value, system=u.label)
        if u not in enabled
        else t("“{word}” is left out: one system at a time", word=u.value)
        for u in dict.fromkeys(named)
        if u is not upstream
    )
    rest = " ".join(w for w in text.split() if w.lower() not in by_word)
    return upstream, rest, notes


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def open_modal(
        client: AsyncWebClient,
        body: dict[str, Any],
        upstream: Upstream,
        prefill: Prefill,
        meta: ModalContext,
        build: Form,
        filled: Callable[[Draft, ModalContext], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        """Open the modal at once, saying what the text gave; when the text names a project, look it up and
        fill it in, with `filled` when the filled-in form needs more reading than `build`."""
        first = build(draft_of(prefill), echoed(meta, prefill))
        opened = await client.views_open(trigger_id=body["trigger_id"], view=first)
        if prefill.project_words:
            prefill, project = await with_project(deps.read_uow_factory, upstream, prefill)
            draft, meta = draft_of(prefill, project), echoed(meta, prefill, project)
            form = await filled(draft, meta) if filled else build(draft, meta)
            await update_view(client, opened["view"]["id"], form, opened["view"]["hash"])

    def parsed(text: str, takes: Takes) -> Prefill:
        return parse_command_text(
            text,
            deps.approvals.today(),
            takes,
            locale=current_reader().locale,
            calendar=deps.summaries.calendar,
        )

    @app.command("/allocate")
    @reporting_errors
    async def handle_allocate_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if await _ack_if_on(ack, deps, [Upstream.WETHOD]):
            meta = ModalContext(kind=RequestKind.ALLOCATION, channel_id=body.get("channel_id"))
            prefill = parsed(body.get("text", ""), ALLOCATION)
            await open_modal(
                client,
                body,
                Upstream.WETHOD,
                prefill,
                meta,
                build_allocation_modal,
                lambda draft, meta: allocation_form(deps, draft, meta),
            )

    @app.command("/whitelist")
    @reporting_errors
    async def handle_whitelist_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if await _ack_if_on(ack, deps, [Upstream.WETHOD]):
            meta = ModalContext(kind=RequestKind.WHITELIST, channel_id=body.get("channel_id"))
            prefill = parsed(body.get("text", ""), WHITELIST)
            await open_modal(
                client,
                body,
                Upstream.WETHOD,
                prefill,
                meta,
                build_whitelist_modal,
                lambda draft, meta: whitelist_form(deps, draft, meta),
            )

    @app.command("/add-person")
    @reporting_errors
    async def handle_add_person_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if not await _ack_if_on(ack, deps, [Upstream.MISSIONX, Upstream.PROCORE]):
            return
        upstream, text, notes = _person_upstream(deps, body.get("text", ""))
        prefill = parsed(text, PROJECT_PERSON)
        prefill = replace(prefill, notes=(*notes, *prefill.notes))
        meta = ModalContext(kind=person_kind(upstream), channel_id=body.get("channel_id"), upstream=upstream)
        enabled = deps.person_upstreams()
        await open_modal(
            client,
            body,
            upstream,
            prefill,
            meta,
            lambda draft, meta: build_project_person_modal(draft, meta, enabled),
        )

    @app.command("/staffing")
    @reporting_errors
    async def handle_staffing_command(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        answer = await staffing_answer(deps, body["user_id"], body.get("text") or "")
        await respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")
