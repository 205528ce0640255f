"""Small pieces every builder uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.status import RequestStatus
from app.i18n import mark
from app.slack.blocks.escape import Mrkdwn
from app.slack.locale import t

Blocks = list[dict[str, Any]]

STATUS_TEXT = {
    RequestStatus.PENDING_APPROVAL: Mrkdwn(mark(":hourglass_flowing_sand: Waiting for approval")),
    RequestStatus.APPROVED: Mrkdwn(mark(":white_check_mark: Approved, on its way")),
    RequestStatus.DELIVERING: Mrkdwn(mark(":arrows_counterclockwise: Being delivered")),
    RequestStatus.DELIVERED: Mrkdwn(mark(":tada: Done")),
    RequestStatus.FAILED: Mrkdwn(mark(":x: Failed")),
    RequestStatus.REJECTED: Mrkdwn(mark(":no_entry: Rejected")),
    RequestStatus.EXPIRED: Mrkdwn(mark(":zzz: Expired without a decision")),
    RequestStatus.CANCELLED: Mrkdwn(mark(":heavy_multiplication_x: Cancelled")),
}


def status_text(status: RequestStatus) -> Mrkdwn:
    """A request's state in the reader's language; `STATUS_TEXT` holds the English msgids."""
    return t(STATUS_TEXT[status])


@dataclass(frozen=True)
class SlackMessage:
    text: Mrkdwn
    blocks: Blocks = field(default_factory=list)


def mrkdwn(text: Mrkdwn) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text[:3000]}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75] if len(text) > 75 else text, "emoji": True}


def section(text: Mrkdwn, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: Mrkdwn, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "context", "elements": [mrkdwn(text)]}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def user(slack_id: str) -> Mrkdwn:
    return Mrkdwn(f"<@{slack_id}>")


def channel(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>")


def joined(parts: Iterable[Mrkdwn], separator: str) -> Mrkdwn:
    """Pieces of markup one after the other; `separator` is Staffdesk's own words."""
    return Mrkdwn(separator.join(parts))


def when(moment: datetime) -> Mrkdwn:
    """A Slack date token: each reader sees it in their own time zone, with the reader's words between the
    day and the time."""
    stamp = int(moment.timestamp())
    shown = t("{day} at {time}", day=Mrkdwn("{date_short_pretty}"), time=Mrkdwn("{time}"))
    return Mrkdwn(f"<!date^{stamp}^{shown}|{moment:%Y-%m-%d %H:%M} UTC>")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
