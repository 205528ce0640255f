"""Modal state in, a draft (to show again) and a domain payload or field errors (by block id) out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.domain.directory import DirectoryProject
from app.domain.requests import (
    MAX_ALLOCATION_DAYS,
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.domain.upstreams import Upstream
from app.domain.when import read_days
from app.i18n import format_day, mark, render, t
from app.services.calendar import MONDAY_TO_FRIDAY, WorkingDays
from app.slack.blocks.inputs import Choice, Draft
from app.slack.ids import NO_MATCH, Action, Block
from app.slack.text import working_days

State = dict[str, dict[str, dict[str, Any]]]


@dataclass
class Checked:
    payload: RequestPayload | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _value(state: State, block: str, action: str) -> dict[str, Any]:
    return state.get(block, {}).get(action, {}) or {}


def _choice(raw: dict[str, Any] | None) -> Choice | None:
    """The picked option; None when nothing was picked, or the option that says a search found nothing."""
    if not raw or str(raw.get("value", "")).startswith(NO_MATCH):
        return None
    return Choice(value=str(raw["value"]), label=str(raw.get("text", {}).get("text", raw["value"])))


def _day(raw: dict[str, Any]) -> date | None:
    text = raw.get("selected_date")
    return date.fromisoformat(text) if text else None


def read_draft(state: State) -> Draft:
    """Everything the user entered, whichever modal it came from."""
    texts: dict[str, str] = {
        str(action): str(_value(state, block, action).get("value") or "").strip()
        for block, action in [
            (Block.EMAIL, Action.EMAIL),
            (Block.ROLE_TITLE, Action.ROLE_TITLE),
            (Block.RATE, Action.RATE),
            (Block.LAST_NAME, Action.LAST_NAME),
            (Block.FIRST_NAME, Action.FIRST_NAME),
            (Block.JOB_TITLE, Action.JOB_TITLE),
            (Block.EMPLOYEE_ID, Action.EMPLOYEE_ID),
            (Block.NOTE, Action.NOTE),
            (Block.WHEN, Action.WHEN),
        ]
    }
    choices: dict[str, Choice] = {
        str(action): choice
        for block, action in [(Block.PERMISSION, Action.PERMISSION), (Block.RATE_TIME, Action.RATE_TIME)]
        if (choice := _choice(_value(state, block, action).get("selected_option")))
    }
    picked = _value(state, Block.PERSON, Action.PERSON)
    people = [str(u) for u in picked.get("selected_users") or []]
    return Draft(
        user_id=picked.get("selected_user") or (people[0] if people else None),
        more=tuple(people[1:]),
        project=_choice(_value(state, Block.PROJECT, Action.PROJECT).get("selected_option")),
        start=_day(_value(state, Block.START, Action.START)),
        end=_day(_value(state, Block.END, Action.END)),
        hours=_value(state, Block.HOURS, Action.HOURS).get("value"),
        texts={k: v for k, v in texts.items() if v},
        choices=choices,
        manager=bool(_value(state, Block.MANAGER, Action.MANAGER).get("selected_options")),
    )


def check_project(project: DirectoryProject | None, upstream: Upstream, errors: dict[str, str]) -> None:
    if project is None:
        errors[Block.PROJECT] = t("Pick a {upstream} project from the list.", upstream=upstream.label)
    elif project.archived:
        errors[Block.PROJECT] = t(
            "{project} is archived in {upstream}; pick an active project.",
            project=project.name,
            upstream=upstream.label,
        )


def with_when(draft: Draft, today: date, locale: str | None, errors: dict[str, str]) -> Draft:
    """The draft with the days its "When" field says in words (they win over the date pickers), or as it
    is with an error next to that field naming what was not understood."""
    said = draft.texts.get(Action.WHEN, "").strip()
    if not said:
        return draft
    words = said.split()
    phrase = read_days(words, today, locale, format_day)
    if phrase is None or phrase.start is None or phrase.end is None:
        why = (
            render(phrase.note)
            if phrase is not None and phrase.note
            else t("“{words}” is not understood as days", words=said)
        )
        errors[Block.WHEN] = t("{why}. Try “next week”, “mon to wed” or “3 dec”, or pick the dates.", why=why)
        return draft
    if phrase.size < len(words):
        left = " ".join(words[phrase.size :])
        errors[Block.WHEN] = t(
            "“{left}” is not understood; only “{read}” is. Say the days alone.", left=left, read=phrase.text
        )
        return draft
    return replace(draft, start=phrase.start, end=phrase.end)


def allocation_days(
    draft: Draft, errors: dict[str, str], calendar: WorkingDays = MONDAY_TO_FRIDAY
) -> list[date]:
    if draft.start is None:
        errors[Block.START] = t("Pick the first day, or say when in words below.")
        return []
    end = draft.end or draft.start
    if end < draft.start:
        errors[Block.END] = t("The last day cannot be before the first.")
        return []
    days = working_days(draft.start, end, calendar)
    if not days:
        errors[Block.START] = _no_working_day(draft.start, end, calendar)
    elif len(days) > MAX_ALLOCATION_DAYS:
        errors[Block.END] = t(
            "At most {most} working days at once; split the request.", most=MAX_ALLOCATION_DAYS
        )
    return days


def _no_working_day(start: date, end: date, calendar: WorkingDays) -> str:
    """Why days from `start` to `end` hold no working day: each a holiday (named), or a weekend too."""
    holidays = calendar.holidays_between(start, end)
    if holidays and len(holidays) == len(MONDAY_TO_FRIDAY.working_days(start, end)):
        named = "; ".join(
            t("{day} is a holiday ({name})", day=format_day(d, start.year), name=name) for d, name in holidays
        )
        return t("{holidays}: pick working days.", holidays=named)
    if holidays:
        return t("These days are all on a weekend or a holiday; pick working days.")
    return t("These days are all on a weekend; pick working days.")


def allocation_hours(draft: Draft, errors: dict[str, str]) -> int | None:
    try:
        hours = int(str(draft.hours or "").strip())
    except ValueError:
        hours = None
    if hours is None or not 1 <= hours <= 8:
        errors[Block.HOURS] = t("Hours must be a whole number from 1 to 8.")
        return None
    return hours


def check_allocation(
    draft: Draft,
    people: Sequence[str] | None,
    project: DirectoryProject | None,
    calendar: WorkingDays = MONDAY_TO_FRIDAY,
) -> Checked:
    """The allocation for `people` (their upstream ids, the first one first), or the errors by field."""
    errors: dict[str, str] = {}
    check_project(project, Upstream.WETHOD, errors)
    days = allocation_days(draft, errors, calendar)
    hours = allocation_hours(draft, errors)
    if errors or not people or project is None or hours is None:
        return Checked(errors=errors)
    first, *rest = (int(p) for p in dict.fromkeys(people))
    payload = AllocationPayload(
        person_id=first, also=tuple(rest), project_id=int(project.upstream_id), dates=tuple(days), hours=hours
    )
    return Checked(payload=payload)


def check_whitelist(person_id: str | None, project: DirectoryProject | None) -> Checked:
    errors: dict[str, str] = {}
    check_project(project, Upstream.WETHOD, errors)
    if errors or person_id is None or project is None:
        return Checked(errors=errors)
    return Checked(payload=WhitelistPayload(project_id=int(project.upstream_id), person_id=int(person_id)))


_MISSIONX_BLOCKS: dict[str, str] = {
    "email": Block.EMAIL,
    "permission": Block.PERMISSION,
    "rate": Block.RATE,
    "rate_time": Block.RATE_TIME,
    "role_title": Block.ROLE_TITLE,
}
_MISSIONX_WORDS: dict[str, str] = {
    Block.EMAIL: mark("Enter a valid e-mail address, such as name@company.com."),
    Block.RATE: mark("The rate must be a number, zero or more."),
    Block.PERMISSION: mark("Pick member, manager, admin or observer."),
    Block.RATE_TIME: mark("Pick how the rate is counted."),
    Block.ROLE_TITLE: mark("The role title is too long."),
}


_REFUSED_FIELD = mark("This value cannot be sent; check it.")


def _field_errors(
    error: ValidationError, blocks: Mapping[str, str], words: Mapping[str, str]
) -> dict[str, str]:
    """The words of each field refused, by block: `words` holds their msgids; a field `words` does not name
    is said to be refused in general words."""
    found: dict[str, str] = {}
    for item in error.errors():
        block = blocks.get(str(item["loc"][0]) if item["loc"] else "")
        if block:
            found.setdefault(block, t(words.get(block, _REFUSED_FIELD)))
    return found or {Block.PROJECT: t("These values cannot be sent; check each field.")}


def check_missionx(draft: Draft, project: DirectoryProject | None) -> Checked:
    errors: dict[str, str] = {}
    check_project(project, Upstream.MISSIONX, errors)
    rate_time = draft.choices.get(Action.RATE_TIME)
    data = {
        "project_id": project.upstream_id if project else "0" * 24,
        "email": draft.texts.get(Action.EMAIL, ""),
        "permission": (draft.choices.get(Action.PERMISSION) or Choice("member", "")).value,
        "role_title": draft.texts.get(Action.ROLE_TITLE),
        "is_project_manager": draft.manager,
        "rate": draft.texts.get(Action.RATE) or None,
        "rate_time": rate_time.value if rate_time else None,
    }
    try:
        payload = MissionXProjectPersonPayload.model_validate(data)
    except ValidationError as error:
        errors.update(_field_errors(error, _MISSIONX_BLOCKS, _MISSIONX_WORDS))
        return Checked(errors=errors)
    return Checked(payload=None if errors else payload, errors=errors)


_PROCORE_BLOCKS: dict[str, str] = {
    "last_name": Block.LAST_NAME,
    "first_name": Block.FIRST_NAME,
    "job_title": Block.JOB_TITLE,
    "employee_id": Block.EMPLOYEE_ID,
}
_PROCORE_WORDS: dict[str, str] = {
    Block.LAST_NAME: mark("Enter the person's last name; Procore needs it."),
    Block.FIRST_NAME: mark("The first name is too long."),
    Block.JOB_TITLE: mark("The job title is too long."),
    Block.EMPLOYEE_ID: mark("The employee id is too long."),
}


def check_procore(draft: Draft, project: DirectoryProject | None) -> Checked:
    errors: dict[str, str] = {}
    check_project(project, Upstream.PROCORE, errors)
    data = {
        "project_id": int(project.upstream_id) if project else 1,
        "last_name": draft.texts.get(Action.LAST_NAME, ""),
        "first_name": draft.texts.get(Action.FIRST_NAME),
        "job_title": draft.texts.get(Action.JOB_TITLE),
        "employee_id": draft.texts.get(Action.EMPLOYEE_ID),
    }
    try:
        payload = ProcoreProjectPersonPayload.model_validate(data)
    except ValidationError as error:
        errors.update(_field_errors(error, _PROCORE_BLOCKS, _PROCORE_WORDS))
        return Checked(errors=errors)
    return Checked(payload=None if errors else payload, errors=errors)
