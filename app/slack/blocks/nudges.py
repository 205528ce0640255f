"""Reminders to approvers, and the word that more approvers were asked (escalation, delegation)."""

from __future__ import annotations

from datetime import datetime

from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, joined, section, user
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.messages import request_title
from app.slack.blocks.question import expires_text
from app.slack.locale import n, t


def waited_text(hours: float) -> Mrkdwn:
    """How long a request has waited: in days from two days on, else in hours."""
    if hours >= 48:
        return n("{count} day", "{count} days", round(hours / 24))
    return t("{hours} h", hours=round(hours)) if hours >= 1 else t("less than an hour")


def build_reminder_dm(
    desc: RequestDescription, link: str | None, waited_hours: float, expires_at: datetime | None
) -> SlackMessage:
    """A nudge that points at the question already asked, with no buttons of its own to drift from it."""
    request = desc.request
    title = request_title(desc)
    what = markup("<{}|{}>", link, title) if link else t("{title} (the question above)", title=title)
    reminder = t(
        ":bell: Reminder: {who}'s request has waited {waited} for your decision: {what}.",
        who=user(request.requester_id),
        waited=waited_text(waited_hours),
        what=what,
    )
    text = joined([reminder, expires_text(expires_at)], " ") if expires_at else reminder
    return SlackMessage(text, [section(text)])


def added_text(why: str, added: list[str], in_place_of: dict[str, str] | None) -> Mrkdwn:
    """Who was asked as well, and why, in the words of the thread and of the requester's DM."""
    names = joined(map(user, added), t(" and "))
    if why == "escalated":
        return n(
            ":mega: Nobody has decided yet, so {people} has been asked as well.",
            ":mega: Nobody has decided yet, so {people} have been asked as well.",
            len(added),
            people=names,
        )
    away = joined(map(user, in_place_of or {}), t(" and "))
    absent = n("{people} is away", "{people} are away", len(in_place_of or {}), people=away)
    return n(
        ":palm_tree: {absent}, so {people} has been asked instead.",
        ":palm_tree: {absent}, so {people} have been asked instead.",
        len(added),
        absent=absent,
        people=names,
    )


def build_added_message(why: str, added: list[str], in_place_of: dict[str, str] | None) -> SlackMessage:
    text = added_text(why, added, in_place_of)
    return SlackMessage(text, [section(text)])
