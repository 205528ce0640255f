"""What an approver's question shows besides the request: the requester's note, the days with the hours
already there, why they are asked and until when, and the buttons of the decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.words import Said
from app.policy.model import permissions_in_words
from app.services.queries import ApprovalFacts, DayPreview, RequestDescription
from app.slack.blocks.common import Blocks, button, channel, context, joined, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.modals import day_line
from app.slack.ids import Action
from app.slack.locale import markup as said_markup
from app.slack.locale import t


def thread_channel(request: StaffingRequest) -> str | None:
    """The channel whose thread holds the request's story, when it was posted in a channel (not a DM)."""
    if request.channel_id and request.channel_id.startswith("C") and request.message_ts:
        return request.channel_id
    return None


def note_blocks(desc: RequestDescription) -> Blocks:
    """The requester's note, quoted."""
    note = desc.request.note
    if not note:
        return []
    quoted = joined((markup(">{}", line) for line in note.splitlines() or [""]), "\n")
    return [section(t("{who} wrote:\n{note}", who=user(desc.request.requester_id), note=quoted))]


def days_blocks(facts: ApprovalFacts | None, year: int, names: Mapping[str, str | Said]) -> Blocks:
    """The days asked for, with the hours each person already has on them, or why they cannot be shown."""
    if facts is None or (facts.days is None and facts.days_problem is None and not facts.each):
        return []
    if facts.days_problem:
        return [context(markup(":warning: {}", said_markup(facts.days_problem)))]
    if facts.each:
        most = max(2, 24 // len(facts.each))
        parts = [
            markup(
                "*{}*\n{}", said_markup(names.get(person, person)), joined(_day_lines(days, year, most), "\n")
            )
            for person, days in facts.each
        ]
        each = joined(parts, "\n")
        return [section(t("*The days, with what each person already has:*\n{days}", days=each))]
    lines = joined(_day_lines(facts.days or [], year, 23), "\n")
    return [section(t("*The days, with what the person already has:*\n{days}", days=lines))]


def _day_lines(days: list[DayPreview], year: int, most: int) -> list[Mrkdwn]:
    return [day_line(day, year) for day in days[:most]]


def expires_text(at: datetime) -> Mrkdwn:
    """Until when the approvers may decide."""
    return t("It expires {at} if nobody decides.", at=when(at))


def why_asked(desc: RequestDescription, facts: ApprovalFacts | None) -> Mrkdwn:
    """Why this approver is asked, until when, and where the request's thread is."""
    request = desc.request
    parts = []
    if request.lacking:
        parts.append(
            t(
                "You are asked because {who} may not {what}.",
                who=user(request.requester_id),
                what=permissions_in_words(request.lacking),
            )
        )
    if facts is not None:
        parts.append(expires_text(facts.expires_at))
    if (thread := thread_channel(request)) is not None:
        parts.append(t("Its thread is in {channel}.", channel=channel(thread)))
    return joined(parts, " ")


def decision_buttons(request: StaffingRequest, ref: str) -> list[dict[str, Any]]:
    """Approve, approve with changes (an allocation: fewer days or fewer hours) or with a note (anything
    else, and an undo or a change, which touch exactly what their request recorded), and Reject."""
    if isinstance(request.payload, AllocationPayload) and request.amends is None:
        middle = button(t("Approve with changes"), Action.APPROVE_CHANGES, ref)
    else:
        middle = button(t("Approve with a note"), Action.APPROVE_NOTE, ref)
    return [
        button(t("Approve"), Action.APPROVE, ref, style="primary"),
        middle,
        button(t("Reject"), Action.REJECT, ref, style="danger"),
    ]
