"""Reminders to approvers, and the word that more approvers were asked (escalation, delegation)."""

from __future__ import annotations

from datetime import datetime

from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, joined, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.messages import request_title


def waited_text(hours: float) -> str:
    if hours >= 48:
        return f"{hours / 24:.0f} days"
    return f"{hours:.0f} h" if hours >= 1 else "less than an hour"


def build_reminder_dm(
    desc: RequestDescription, link: str | None, waited_hours: float, expires_at: datetime | None
) -> SlackMessage:
    """A nudge that points at the question already asked, with no buttons of its own to drift from it."""
    request = desc.request
    title = request_title(desc)
    what = markup("<{}|{}>", link, title) if link else markup("{} (the question above)", title)
    expires = markup(" It expires {} if nobody decides.", when(expires_at)) if expires_at else Mrkdwn("")
    text = markup(
        ":bell: Reminder: {}'s request has waited {} for your decision: {}.{}",
        user(request.requester_id),
        waited_text(waited_hours),
        what,
        expires,
    )
    return SlackMessage(text, [section(text)])


def added_text(why: str, added: list[str], in_place_of: dict[str, str] | None) -> Mrkdwn:
    """Who was asked as well, and why, in the words of the thread and of the requester's DM."""
    names = joined(map(user, added), " and ")
    if why == "escalated":
        return markup(":mega: Nobody has decided yet, so {} {} been asked as well.", names, _have(added))
    away = joined(map(user, in_place_of or {}), " and ")
    return markup(
        ":palm_tree: {} {} away, so {} {} been asked instead.", away, _are(in_place_of), names, _have(added)
    )


def _have(people: list[str]) -> str:
    return "has" if len(people) == 1 else "have"


def _are(people: dict[str, str] | None) -> str:
    return "is" if len(people or {}) == 1 else "are"


def build_added_message(why: str, added: list[str], in_place_of: dict[str, str] | None) -> SlackMessage:
    text = added_text(why, added, in_place_of)
    return SlackMessage(text, [section(text)])
