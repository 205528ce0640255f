"""The request modals, filled in from a draft, and the small views shown while and after submitting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.dates import day_text
from app.domain.requests import NOTE_LENGTH, PROJECT_MANAGER_DUTIES, MissionXPermission, MissionXRateTime
from app.domain.upstreams import Upstream
from app.services.queries import DayPreview, RequestDescription
from app.slack.blocks.common import Blocks, context, plain, section, truncate
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.messages import request_summary
from app.slack.ids import Action, Block, Callback
from app.slack.metadata import ModalContext, RequestRef, dump_metadata


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


def _input(
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


def _text(action: str, value: str | None, placeholder: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action}
    if value:
        element["initial_value"] = value
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _project(draft: Draft, upstream: Upstream) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": Action.PROJECT,
        "min_query_length": 1,
        "placeholder": plain(f"Search {upstream.label} projects by name or job order"),
    }
    if draft.project:
        element["initial_option"] = draft.project.option()
    return _input(Block.PROJECT, "Project", element, dispatch=upstream is Upstream.WETHOD)


def _person(draft: Draft, label: str, dispatch: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "users_select",
        "action_id": Action.PERSON,
        "placeholder": plain("Pick a person"),
    }
    if draft.user_id:
        element["initial_user"] = draft.user_id
    return _input(Block.PERSON, label, element, dispatch=dispatch)


def _date(
    block_id: str, action: str, label: str, value: date | None, optional: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": action}
    if value:
        element["initial_date"] = value.isoformat()
    return _input(block_id, label, element, optional=optional, dispatch=True)


def _note(draft: Draft) -> dict[str, Any]:
    element = _text(
        Action.NOTE, draft.texts.get(Action.NOTE), "Why it is needed, or anything the approver should know"
    )
    element |= {"multiline": True, "max_length": NOTE_LENGTH}
    return _input(Block.NOTE, "Note for the approver", element, optional=True)


def _echo(meta: ModalContext) -> Blocks:
    """On top of a form opened by a slash command: what its text gave and what it held that was not used."""
    return [context(Mrkdwn(meta.echo), block_id=Block.ECHO)] if meta.echo else []


def _modal(
    callback: str, title: str, blocks: Blocks, meta: ModalContext, draft: Draft, submit: str = "Send request"
) -> dict[str, Any]:
    """A request form: its fields, then the note for the approver that every request may carry."""
    return {
        "type": "modal",
        "callback_id": callback,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "blocks": [*_echo(meta), *blocks, _note(draft)],
        "private_metadata": dump_metadata(meta),
    }


def preview_text(
    preview: list[DayPreview] | None, problem: str | None = None, year: int | None = None
) -> Mrkdwn:
    """What the allocation would create day by day, or the problem (plain text) that keeps it from it;
    the year of a day is shown when it is not `year` (this year unless told)."""
    if problem:
        return markup(":warning: {}", problem)
    if not preview:
        return Mrkdwn("_Pick a person, a project, the days and the hours to see what will be created._")
    lines = [f"*This will create {len(preview)} allocation{'s' if len(preview) > 1 else ''}:*"]
    shown_year = year or date.today().year
    for day in preview[:23]:
        flag = f" :warning: *{day.total} h, over 8*" if day.over else f" → {day.total} h"
        lines.append(f"• {day_text(day.day, shown_year)}: {day.already} h already + {day.adding} h{flag}")
    if len(preview) > 23:
        lines.append(f"…and {len(preview) - 23} more days")
    return Mrkdwn("\n".join(lines))


def build_allocation_modal(draft: Draft, meta: ModalContext, preview: str | None = None) -> dict[str, Any]:
    """The allocation form; `preview` is what `preview_text` made, and any other text is shown escaped."""
    hours: dict[str, Any] = {"type": "number_input", "action_id": Action.HOURS, "is_decimal_allowed": False}
    hours |= {"min_value": "1", "max_value": "8"}
    if draft.hours:
        hours["initial_value"] = draft.hours
    blocks = [
        _person(draft, "Who", dispatch=True),
        _project(draft, Upstream.WETHOD),
        _date(Block.START, Action.START, "From", draft.start),
        _date(Block.END, Action.END, "To (leave empty for one day)", draft.end, optional=True),
        _input(
            Block.HOURS,
            "Hours a day",
            hours,
            hint="A whole number from 1 to 8; weekends are skipped.",
            dispatch=True,
        ),
        section(markup("{}", preview) if preview else preview_text(None), block_id=Block.PREVIEW),
    ]
    return _modal(Callback.ALLOCATION, "Allocate", blocks, meta, draft)


def whitelist_off_text(project: str, person: str | None) -> Mrkdwn:
    """The warning for a project whose timesheet whitelist is off in Wethod; Mrkdwn names stay as they are,
    any other text is escaped."""
    return markup(
        ":warning: {}'s timesheet whitelist is off in Wethod: adding {} changes nothing until a Wethod admin "
        "turns it on.",
        project,
        person or "a person",
    )


def build_whitelist_modal(draft: Draft, meta: ModalContext, warning: str | None = None) -> dict[str, Any]:
    """The whitelist form; `warning` is what `whitelist_off_text` made; any other text is shown escaped."""
    shown = [context(markup("{}", warning))] if warning else []
    blocks = [
        _person(draft, "Who", dispatch=True),
        _project(draft, Upstream.WETHOD),
        *shown,
        context(Mrkdwn("They can then log time on the project even when it is closed to others.")),
    ]
    return _modal(Callback.WHITELIST, "Timesheet whitelist", blocks, meta, draft)


def _static(
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
    return _input(block_id, label, element, optional=optional)


def _upstream_picker(enabled: list[Upstream], current: Upstream) -> list[dict[str, Any]]:
    if len(enabled) < 2:
        return [context(markup("Adds the person in *{}*.", current.label))]
    options = [Choice(u.value, u.label) for u in enabled]
    element = {
        "type": "static_select",
        "action_id": Action.UPSTREAM,
        "options": [o.option() for o in options],
        "initial_option": Choice(current.value, current.label).option(),
    }
    return [
        {
            "type": "section",
            "block_id": Block.UPSTREAM,
            "text": {"type": "mrkdwn", "text": "*System*"},
            "accessory": element,
        }
    ]


def permission_choice(permission: MissionXPermission) -> Choice:
    return Choice(permission.value, permission.described)


def rate_time_choice(rate_time: MissionXRateTime) -> Choice:
    return Choice(rate_time.value, rate_time.label)


def _missionx_fields(draft: Draft) -> Blocks:
    permissions = [permission_choice(p) for p in MissionXPermission]
    rate_times = [rate_time_choice(r) for r in MissionXRateTime]
    manager: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": Action.MANAGER,
        "options": [Choice("yes", "Assigns people to roles and approves leave").option()],
    }
    if draft.manager:
        manager["initial_options"] = manager["options"]
    rate: dict[str, Any] = {"type": "number_input", "action_id": Action.RATE, "is_decimal_allowed": True}
    rate |= {"min_value": "0"}
    if draft.texts.get(Action.RATE):
        rate["initial_value"] = draft.texts[Action.RATE]
    return [
        _input(Block.EMAIL, "E-mail", _text(Action.EMAIL, draft.texts.get(Action.EMAIL), "name@company.com")),
        _static(
            Block.PERMISSION,
            Action.PERMISSION,
            "Access to the project",
            permissions,
            draft.choices.get(Action.PERMISSION) or permissions[0],
        ),
        _input(
            Block.ROLE_TITLE,
            "Role title",
            _text(Action.ROLE_TITLE, draft.texts.get(Action.ROLE_TITLE)),
            optional=True,
        ),
        _input(Block.MANAGER, PROJECT_MANAGER_DUTIES.capitalize(), manager, optional=True),
        _input(Block.RATE, "Charge rate", rate, optional=True, hint="Zero or more."),
        _static(
            Block.RATE_TIME,
            Action.RATE_TIME,
            "Rate is",
            rate_times,
            draft.choices.get(Action.RATE_TIME),
            optional=True,
        ),
    ]


def _procore_fields(draft: Draft) -> Blocks:
    return [
        _input(Block.LAST_NAME, "Last name", _text(Action.LAST_NAME, draft.texts.get(Action.LAST_NAME))),
        _input(
            Block.FIRST_NAME,
            "First name",
            _text(Action.FIRST_NAME, draft.texts.get(Action.FIRST_NAME)),
            optional=True,
        ),
        _input(
            Block.JOB_TITLE,
            "Job title",
            _text(Action.JOB_TITLE, draft.texts.get(Action.JOB_TITLE)),
            optional=True,
        ),
        _input(
            Block.EMPLOYEE_ID,
            "Employee id",
            _text(Action.EMPLOYEE_ID, draft.texts.get(Action.EMPLOYEE_ID)),
            optional=True,
        ),
    ]


def build_project_person_modal(draft: Draft, meta: ModalContext, enabled: list[Upstream]) -> dict[str, Any]:
    upstream = meta.upstream or enabled[0]
    fields = _missionx_fields(draft) if upstream is Upstream.MISSIONX else _procore_fields(draft)
    blocks = [*_upstream_picker(enabled, upstream), _project(draft, upstream), *fields]
    return _modal(Callback.PROJECT_PERSON, "Add a person", blocks, meta, draft)


def build_reject_modal(desc: RequestDescription) -> dict[str, Any]:
    reason = _text(Action.REASON, None, "Why? The requester will see this.")
    reason["multiline"] = True
    blocks = [section(Mrkdwn(truncate(request_summary(desc), 2900))), _input(Block.REASON, "Reason", reason)]
    meta = {
        "type": "modal",
        "callback_id": Callback.REJECT,
        "title": plain("Reject request"),
        "submit": plain("Reject"),
        "close": plain("Back"),
        "blocks": blocks,
        "private_metadata": dump_metadata(RequestRef(request_id=desc.request.id)),
    }
    return meta


def build_notice_view(title: str, text: Mrkdwn) -> dict[str, Any]:
    """A closing view: what happened, in words."""
    return {
        "type": "modal",
        "title": plain(truncate(title, 24)),
        "close": plain("Close"),
        "blocks": [section(text)],
    }
