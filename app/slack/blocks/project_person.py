"""The form that adds a person to a MissionX or Procore project."""

from __future__ import annotations

from typing import Any

from app.domain.requests import MissionXPermission, MissionXRateTime
from app.domain.upstreams import Upstream
from app.slack.blocks.common import Blocks, context, mrkdwn
from app.slack.blocks.inputs import (
    Choice,
    Draft,
    input_block,
    project_input,
    request_form,
    static_input,
    text_input,
)
from app.slack.ids import Action, Block, Callback
from app.slack.locale import markup, t
from app.slack.metadata import ModalContext


def _upstream_picker(enabled: list[Upstream], current: Upstream) -> list[dict[str, Any]]:
    if len(enabled) < 2:
        return [context(t("Adds the person in *{system}*.", system=current.label))]
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
            "text": mrkdwn(t("*System*")),
            "accessory": element,
        }
    ]


def permission_choice(permission: MissionXPermission) -> Choice:
    """The access with what it allows, as the form offers it."""
    return Choice(permission.value, markup(permission.described))


def rate_time_choice(rate_time: MissionXRateTime) -> Choice:
    return Choice(rate_time.value, markup(rate_time.words))


def _missionx_fields(draft: Draft) -> Blocks:
    permissions = [permission_choice(p) for p in MissionXPermission]
    rate_times = [rate_time_choice(r) for r in MissionXRateTime]
    manager: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": Action.MANAGER,
        "options": [Choice("yes", t("Assigns people to roles and approves leave")).option()],
    }
    if draft.manager:
        manager["initial_options"] = manager["options"]
    rate: dict[str, Any] = {"type": "number_input", "action_id": Action.RATE, "is_decimal_allowed": True}
    rate |= {"min_value": "0"}
    if draft.texts.get(Action.RATE):
        rate["initial_value"] = draft.texts[Action.RATE]
    return [
        input_block(
            Block.EMAIL,
            t("E-mail"),
            text_input(Action.EMAIL, draft.texts.get(Action.EMAIL), t("name@company.com")),
        ),
        static_input(
            Block.PERMISSION,
            Action.PERMISSION,
            t("Access to the project"),
            permissions,
            draft.choices.get(Action.PERMISSION) or permissions[0],
        ),
        input_block(
            Block.ROLE_TITLE,
            t("Role title"),
            text_input(Action.ROLE_TITLE, draft.texts.get(Action.ROLE_TITLE)),
            optional=True,
        ),
        input_block(Block.MANAGER, t("Project manager duties"), manager, optional=True),
        input_block(Block.RATE, t("Charge rate"), rate, optional=True, hint=t("Zero or more.")),
        static_input(
            Block.RATE_TIME,
            Action.RATE_TIME,
            t("Rate is"),
            rate_times,
            draft.choices.get(Action.RATE_TIME),
            optional=True,
        ),
    ]


def _procore_fields(draft: Draft) -> Blocks:
    return [
        input_block(
            Block.LAST_NAME, t("Last name"), text_input(Action.LAST_NAME, draft.texts.get(Action.LAST_NAME))
        ),
        input_block(
            Block.FIRST_NAME,
            t("First name"),
            text_input(Action.FIRST_NAME, draft.texts.get(Action.FIRST_NAME)),
            optional=True,
        ),
        input_block(
            Block.JOB_TITLE,
            t("Job title"),
            text_input(Action.JOB_TITLE, draft.texts.get(Action.JOB_TITLE)),
            optional=True,
        ),
        input_block(
            Block.EMPLOYEE_ID,
            t("Employee id"),
            text_input(Action.EMPLOYEE_ID, draft.texts.get(Action.EMPLOYEE_ID)),
            optional=True,
        ),
    ]


def build_project_person_modal(draft: Draft, meta: ModalContext, enabled: list[Upstream]) -> dict[str, Any]:
    upstream = meta.upstream or enabled[0]
    fields = _missionx_fields(draft) if upstream is Upstream.MISSIONX else _procore_fields(draft)
    blocks = [*_upstream_picker(enabled, upstream), project_input(draft, upstream), *fields]
    return request_form(Callback.PROJECT_PERSON, t("Add a person"), blocks, meta, draft)
