"""The Wethod forms: an allocation with its day-by-day preview, and a timesheet whitelist entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from app import i18n
from app.domain.upstreams import Upstream
from app.i18n import format_day, format_span, mark
from app.services.queries import DayPreview
from app.slack.blocks.common import context, section
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.inputs import (
    Draft,
    date_input,
    input_block,
    people_input,
    person_input,
    project_input,
    request_form,
    text_input,
)
from app.slack.ids import Action, Block, Callback
from app.slack.locale import n, t
from app.slack.metadata import ModalContext


def preview_text(
    preview: list[DayPreview] | None,
    problem: str | None = None,
    year: int | None = None,
    holidays: Sequence[tuple[date, str]] = (),
) -> Mrkdwn:
    """What the allocation would create day by day, or the problem (plain text) that keeps it from it;
    the year of a day is shown when it is not `year` (this year unless told)."""
    if problem:
        return markup(":warning: {}", problem)
    if not preview:
        return t("_Pick a person, a project, the days and the hours to see what will be created._")
    lines = [
        n("*This will create {count} allocation:*", "*This will create {count} allocations:*", len(preview))
    ]
    shown_year = year or date.today().year
    lines += _day_lines(preview, shown_year, 23)
    lines += _holiday_lines(holidays, shown_year)
    return Mrkdwn("\n".join(lines))


def day_line(day: DayPreview, year: int) -> Mrkdwn:
    """One day of a preview: the hours already there, those added, and their sum, flagged over 8."""
    words = {
        "day": format_day(day.day, year),
        "already": day.already,
        "adding": day.adding,
        "total": day.total,
    }
    if day.over:
        return t("• {day}: {already} h already + {adding} h :warning: *{total} h, over 8*", **words)
    return t("• {day}: {already} h already + {adding} h → {total} h", **words)


def _day_lines(preview: list[DayPreview], year: int, most: int) -> list[Mrkdwn]:
    lines = [day_line(day, year) for day in preview[:most]]
    if len(preview) > most:
        lines.append(n("…and {count} more day", "…and {count} more days", len(preview) - most))
    return lines


def _holiday_lines(holidays: Sequence[tuple[date, str]], year: int) -> list[Mrkdwn]:
    return [
        t("• {day}: holiday: {name}, skipped", day=format_day(day, year), name=name) for day, name in holidays
    ]


def people_preview_text(
    previews: Sequence[tuple[str, list[DayPreview]]], year: int, holidays: Sequence[tuple[date, str]] = ()
) -> Mrkdwn:
    """What the allocation would create for each of several people (name, their days), with each one's
    hours already there; the names are escaped."""
    total = sum(len(days) for _, days in previews)
    count = len(previews[0][1]) if previews else 0
    lines = [
        t(
            "*This will create {total} allocations, {count} for each of {people} people:*",
            total=total,
            count=count,
            people=len(previews),
        )
    ]
    most = max(3, 30 // max(len(previews), 1))
    for name, days in previews:
        lines.append(markup("*{}*", name))
        lines += _day_lines(days, year, most)
    lines += _holiday_lines(holidays, year)
    return Mrkdwn("\n".join(lines))


WHEN_HINT = mark("Then press Enter: next week, mon to wed, 3 dec, dal 3 al 5 dicembre.")


def when_input(draft: Draft, said: str | None) -> list[dict[str, Any]]:
    """The days in words, and below it what they were understood as (`said`, plain text, escaped)."""
    element = text_input(Action.WHEN, draft.texts.get(Action.WHEN), t("next week"))
    element["dispatch_action_config"] = {"trigger_actions_on": ["on_enter_pressed"]}
    label, hint = t("When, in words"), t(WHEN_HINT)
    block = input_block(Block.WHEN, label, element, optional=True, hint=hint, dispatch=True)
    return [block, context(markup("{}", said), block_id=Block.WHEN_SAID)] if said else [block]


def when_understood(start: date, end: date, year: int) -> str:
    """What the days in words were read as, in plain text."""
    return i18n.t("Understood as {days}.", days=format_span(start, end, year))


def build_allocation_modal(
    draft: Draft, meta: ModalContext, preview: str | None = None, when_said: str | None = None
) -> dict[str, Any]:
    """The allocation form; `preview` is what `preview_text` made, and any other text is shown escaped."""
    hours: dict[str, Any] = {"type": "number_input", "action_id": Action.HOURS, "is_decimal_allowed": False}
    hours |= {"min_value": "1", "max_value": "8"}
    if draft.hours:
        hours["initial_value"] = draft.hours
    who = t("Who")
    blocks = [
        people_input(draft, who) if not meta.changes else person_input(draft, who, dispatch=True),
        project_input(draft, Upstream.WETHOD),
        date_input(Block.START, Action.START, t("From"), draft.start, optional=True),
        date_input(Block.END, Action.END, t("To (leave empty for one day)"), draft.end, optional=True),
        *when_input(draft, when_said),
        input_block(
            Block.HOURS,
            t("Hours a day"),
            hours,
            hint=t("A whole number from 1 to 8; weekends are skipped."),
            dispatch=True,
        ),
        section(markup("{}", preview) if preview else preview_text(None), block_id=Block.PREVIEW),
    ]
    if meta.changes:
        return request_form(
            Callback.ALLOCATION, t("Change allocation"), blocks, meta, draft, t("Send change")
        )
    return request_form(Callback.ALLOCATION, t("Allocate"), blocks, meta, draft)


def whitelist_off_text(project: str, person: str | None) -> Mrkdwn:
    """The warning for a project whose timesheet whitelist is off in Wethod; Mrkdwn names stay as they are,
    any other text is escaped."""
    if person is None:
        return t(
            ":warning: The timesheet whitelist of {project} is off in Wethod: adding a person changes "
            "nothing until a Wethod admin turns it on.",
            project=project,
        )
    return t(
        ":warning: The timesheet whitelist of {project} is off in Wethod: adding {person} changes nothing "
        "until a Wethod admin turns it on.",
        project=project,
        person=person,
    )


def build_whitelist_modal(draft: Draft, meta: ModalContext, warning: str | None = None) -> dict[str, Any]:
    """The whitelist form; `warning` is what `whitelist_off_text` made; any other text is shown escaped."""
    shown = [context(markup("{}", warning))] if warning else []
    blocks = [
        person_input(draft, t("Who"), dispatch=True),
        project_input(draft, Upstream.WETHOD),
        *shown,
        context(t("They can then log time on the project even when it is closed to others.")),
    ]
    return request_form(Callback.WHITELIST, t("Timesheet whitelist"), blocks, meta, draft)
