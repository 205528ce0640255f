"""A stored request turned back into a modal draft, for "Fix and resubmit"."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestKind,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.upstreams import UPSTREAM_OF_KIND, Upstream
from app.services.directory import find_person, find_project
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.modals import build_allocation_modal, build_whitelist_modal
from app.slack.blocks.project_person import build_project_person_modal, permission_choice, rate_time_choice
from app.slack.deps import SlackDeps
from app.slack.ids import Action
from app.slack.metadata import ModalContext


async def draft_of_request(deps: SlackDeps, request: StaffingRequest) -> Draft:
    """The request as its form showed it, with the note the requester wrote."""
    draft = await _fields_of(deps, request)
    if request.note:
        draft = replace(draft, texts={**draft.texts, str(Action.NOTE): request.note})
    return draft


async def _fields_of(deps: SlackDeps, request: StaffingRequest) -> Draft:
    payload = request.payload
    upstream = UPSTREAM_OF_KIND[request.kind]
    project = await find_project(deps.read_uow_factory, upstream, str(payload.project_id))
    choice = Choice(project.upstream_id, project.name) if project else None
    if isinstance(payload, WhitelistPayload):
        return Draft(user_id=await _slack_id(deps, payload.person_id), project=choice)
    if isinstance(payload, AllocationPayload):
        refused = request.result or {}
        listed = refused.get("done_people")
        done = {int(str(p)) for p in listed} if isinstance(listed, list) else set()
        people = [await _slack_id(deps, p) for p in payload.people if p not in done]
        found = [p for p in people if p]
        return Draft(
            user_id=found[0] if found else None,
            more=tuple(found[1:]),
            project=choice,
            start=payload.dates[0],
            end=payload.dates[-1],
            hours=str(payload.hours),
        )
    if isinstance(payload, MissionXProjectPersonPayload):
        texts = {
            Action.EMAIL: payload.email,
            Action.ROLE_TITLE: payload.role_title or "",
            Action.RATE: "" if payload.rate is None else f"{payload.rate:g}",
        }
        choices = {Action.PERMISSION: permission_choice(payload.permission)}
        if payload.rate_time:
            choices[Action.RATE_TIME] = rate_time_choice(payload.rate_time)
        return Draft(
            project=choice,
            texts={str(k): v for k, v in texts.items() if v},
            choices={str(k): v for k, v in choices.items()},
            manager=payload.is_project_manager,
        )
    assert isinstance(payload, ProcoreProjectPersonPayload)
    texts = {
        Action.LAST_NAME: payload.last_name,
        Action.FIRST_NAME: payload.first_name or "",
        Action.JOB_TITLE: payload.job_title or "",
        Action.EMPLOYEE_ID: payload.employee_id or "",
    }
    return Draft(project=choice, texts={str(k): v for k, v in texts.items() if v})


async def _slack_id(deps: SlackDeps, person_id: int) -> str | None:
    """The Slack user of a Wethod person, found by e-mail; None when Slack has no such user."""
    person = await find_person(deps.read_uow_factory, Upstream.WETHOD, str(person_id))
    return await deps.approvals.slack.user_by_email(person.email) if person and person.email else None


def modal_for(deps: SlackDeps, meta: ModalContext, draft: Draft) -> dict[str, Any]:
    if meta.kind is RequestKind.ALLOCATION:
        return build_allocation_modal(draft, meta)
    if meta.kind is RequestKind.WHITELIST:
        return build_whitelist_modal(draft, meta)
    upstream = UPSTREAM_OF_KIND[meta.kind]
    return build_project_person_modal(
        draft, meta.model_copy(update={"upstream": upstream}), deps.person_upstreams()
    )
