"""The parts every form is made of: what a field shows (a draft), inputs, and the request form's frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app import i18n
from app.domain.requests import MAX_ALLOCATION_PEOPLE, NOTE_LENGTH
from app.domain.upstreams import Upstream
from app.slack.blocks.common import Blocks, context, plain, truncate
from app.slack.blocks.escape import Mrkdwn
from app.slack.ids import Action, Block
from app.slack.locale import t
from app.slack.metadata import ModalContext, dump_metadata


@dataclass(frozen=True)
class Choice:
    """A picked option: what is sent (`value`) and what is shown (`label`)."""

    value: str
    label: str

    def option(self) -> dict[str, Any]:
        return {"text": plain(truncate(self.label, 75)), "value": self.value[:150]}


@dataclass(frozen=True)
class Draft:
    """What a modal shows in its fields: from the command text, a stored request, or the user's last try."""

    user_id: str | None = None
    project: Choice | None = None
    start: date | None = None
    end: date | None = None
    hours: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    choices: dict[str, Choice] = field(default_factory=dict)
    manager: bool = False
    more: tuple[str, ...] = ()  # the people after `user_id`, in a form that takes several

    @property
    def people(self) -> tuple[str, ...]:
        return (self.user_id, *self.more) if self.user_id else ()


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    if dispatch:
        block["dispatch_action"] = True
    return block


def text_input(action: str, value: str | None, placeholder: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action}
    if value:
        element["initial_value"] = value
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def project_input(draft: Draft, upstream: Upstream) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": Action.PROJECT,
        "min_query_length": 1,
        "placeholder": plain(
            i18n.t("Search {upstream} projects by name or job order", upstream=upstream.label)
        ),
    }
    if draft.project:
        element["initial_option"] = draft.project.option()
    return input_block(Block.PROJECT, t("Project"), element, dispatch=upstream is Upstream.WETHOD)


def person_input(draft: Draft, label: str, dispatch: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "users_select",
        "action_id": Action.PERSON,
        "placeholder": plain(t("Pick a person")),
    }
    if draft.user_id:
        element["initial_user"] = draft.user_id
    return input_block(Block.PERSON, label, element, dispatch=dispatch)


def people_input(draft: Draft, label: str) -> dict[str, Any]:
    """Who, for a form that takes several people at once (the first is the one a single form would take)."""
    element: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": Action.PERSON,
        "placeholder": plain(t("Pick one or more people")),
        "max_selected_items": MAX_ALLOCATION_PEOPLE,
    }
    if draft.people:
        element["initial_users"] = list(draft.people)
    return input_block(Block.PERSON, label, element, dispatch=True)


def date_input(
    block_id: str, action: str, label: str, value: date | None, optional: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": action}
    if value:
        element["initial_date"] = value.isoformat()
    return input_block(block_id, label, element, optional=optional, dispatch=True)


def note_input(draft: Draft) -> dict[str, Any]:
    element = text_input(
        Action.NOTE, draft.texts.get(Action.NOTE), t("Why it is needed, or anything the approver should know")
    )
    element |= {"multiline": True, "max_length": NOTE_LENGTH}
    return input_block(Block.NOTE, t("Note for the approver"), element, optional=True)


def echo(meta: ModalContext) -> Blocks:
    """On top of a form opened by a slash command: what its text gave and what it held that was not used."""
    return [context(Mrkdwn(meta.echo), block_id=Block.ECHO)] if meta.echo else []


def request_form(
    callback: str, title: str, blocks: Blocks, meta: ModalContext, draft: Draft, submit: str | None = None
) -> dict[str, Any]:
    """A request form: its fields, then the note for the approver that every request may carry; its
    button says "Send request" unless `submit` says otherwise."""
    return {
        "type": "modal",
        "callback_id": callback,
        "title": plain(title),
        "submit": plain(submit or t("Send request")),
        "close": plain(t("Cancel")),
        "blocks": [*echo(meta), *blocks, note_input(draft)],
        "private_metadata": dump_metadata(meta),
    }


def static_input(
    block_id: str,
    action: str,
    label: str,
    options: list[Choice],
    picked: Choice | None,
    optional: bool = False,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action,
        "options": [o.option() for o in options],
    }
    if picked:
        element["initial_option"] = picked.option()
    return input_block(block_id, label, element, optional=optional)
