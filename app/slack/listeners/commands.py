"""Slash commands: open the right modal at once, filled from the command text; /staffing answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.domain.requests import RequestKind
from app.domain.upstreams import Upstream, person_kind
from app.services import queries
from app.services.directory import search_projects
from app.services.summary_runs import set_digest, summary_for
from app.slack.blocks.home import HELP, build_my_requests, build_waiting_for_me
from app.slack.blocks.modals import (
    Choice,
    Draft,
    build_allocation_modal,
    build_project_person_modal,
    build_whitelist_modal,
)
from app.slack.blocks.summary import build_summary_messages
from app.slack.deps import SlackDeps
from app.slack.errors import reporting_errors
from app.slack.listeners.actions import whitelist_form
from app.slack.metadata import ModalContext
from app.slack.text import parse_command_text


async def _draft_from_text(deps: SlackDeps, text: str, upstream: Upstream) -> Draft:
    prefill = parse_command_text(text, deps.approvals.today())
    project = None
    if prefill.project_query:
        found = await search_projects(deps.read_uow_factory, upstream, prefill.project_query, limit=1)
        project = Choice(found[0].upstream_id, found[0].name) if found else None
    hours = str(prefill.hours) if prefill.hours is not None else None
    return Draft(user_id=prefill.user_id, project=project, start=prefill.start, end=prefill.end, hours=hours)


async def _ack_if_on(ack: AsyncAck, deps: SlackDeps, upstreams: list[Upstream]) -> bool:
    """Ack; when none of `upstreams` is configured, the ack itself says what is missing."""
    if any(u in deps.enabled for u in upstreams):
        await ack()
        return True
    await ack(text=" ".join(filter(None, (deps.not_configured(u) for u in upstreams))))
    return False


def _first_draft(deps: SlackDeps, text: str) -> Draft:
    prefill = parse_command_text(text, deps.approvals.today())
    hours = str(prefill.hours) if prefill.hours is not None else None
    return Draft(user_id=prefill.user_id, start=prefill.start, end=prefill.end, hours=hours)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def open_modal(
        client: AsyncWebClient,
        body: dict[str, Any],
        upstream: Upstream,
        query: str,
        build: Callable[[Draft], dict[str, Any]],
        filled: Callable[[Draft], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        """Open the modal at once; when the text names a project, look it up and fill it in, with `filled`
        when the filled-in form needs more reading than `build`."""
        first = _first_draft(deps, body.get("text", ""))
        opened = await client.views_open(trigger_id=body["trigger_id"], view=build(first))
        if query.strip():
            draft = await _draft_from_text(deps, query, upstream)
            view = opened["view"]
            form = await filled(draft) if filled else build(draft)
            await client.views_update(view_id=view["id"], hash=view["hash"], view=form)

    @app.command("/allocate")
    @reporting_errors
    async def handle_allocate_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if await _ack_if_on(ack, deps, [Upstream.WETHOD]):
            meta = ModalContext(kind=RequestKind.ALLOCATION, channel_id=body.get("channel_id"))
            await open_modal(
                client,
                body,
                Upstream.WETHOD,
                body.get("text", ""),
                lambda draft: build_allocation_modal(draft, meta),
            )

    @app.command("/whitelist")
    @reporting_errors
    async def handle_whitelist_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if await _ack_if_on(ack, deps, [Upstream.WETHOD]):
            meta = ModalContext(kind=RequestKind.WHITELIST, channel_id=body.get("channel_id"))
            await open_modal(
                client,
                body,
                Upstream.WETHOD,
                body.get("text", ""),
                lambda draft: build_whitelist_modal(draft, meta),
                lambda draft: whitelist_form(deps, draft, meta),
            )

    @app.command("/add-person")
    @reporting_errors
    async def handle_add_person_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        if not await _ack_if_on(ack, deps, [Upstream.MISSIONX, Upstream.PROCORE]):
            return
        enabled = deps.person_upstreams()
        words = body.get("text", "").split()
        upstream = (
            Upstream.PROCORE
            if "procore" in map(str.lower, words) and Upstream.PROCORE in enabled
            else enabled[0]
        )
        meta = ModalContext(kind=person_kind(upstream), channel_id=body.get("channel_id"), upstream=upstream)
        query = " ".join(w for w in words if w.lower() not in {"procore", "missionx"})
        await open_modal(
            client, body, upstream, query, lambda draft: build_project_person_modal(draft, meta, enabled)
        )

    @app.command("/staffing")
    @reporting_errors
    async def handle_staffing_command(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        words = (body.get("text") or "").lower().split()
        user = body["user_id"]
        if words[:1] == ["mine"]:
            found = await queries.requests_of(deps.read_uow_factory, user)
            blocks = build_my_requests(await queries.describe_all(deps.read_uow_factory, found))
            await respond(text="Your requests", blocks=blocks, response_type="ephemeral")
        elif words[:1] == ["summary"]:
            summary = await summary_for(deps.summaries, deps.summaries.today(), deps.summaries.channel or "")
            top, details = build_summary_messages(summary)
            blocks = (top.blocks + [b for m in details for b in m.blocks])[:50]
            await respond(text=top.text, blocks=blocks, response_type="ephemeral")
        elif words[:2] in (["digest", "on"], ["digest", "off"]):
            await set_digest(deps.summaries, user, words[1] == "on")
            state = "will get" if words[1] == "on" else "will no longer get"
            await respond(
                text=f"You {state} a daily direct message with your projects' day.", response_type="ephemeral"
            )
        elif words[:1] == ["pending"]:
            found = await queries.waiting_for(deps.read_uow_factory, user)
            blocks = build_waiting_for_me(await queries.describe_all(deps.read_uow_factory, found))
            await respond(text="Approvals waiting for you", blocks=blocks, response_type="ephemeral")
        else:
            await respond(text=HELP, response_type="ephemeral")
