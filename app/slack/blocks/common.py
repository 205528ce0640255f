"""Small pieces every builder uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.status import RequestStatus

Blocks = list[dict[str, Any]]

STATUS_TEXT = {
    RequestStatus.PENDING_APPROVAL: ":hourglass_flowing_sand: Waiting for approval",
    RequestStatus.APPROVED: ":white_check_mark: Approved, on its way",
    RequestStatus.DELIVERING: ":arrows_counterclockwise: Being delivered",
    RequestStatus.DELIVERED: ":tada: Done",
    RequestStatus.FAILED: ":x: Failed",
    RequestStatus.REJECTED: ":no_entry: Rejected",
    RequestStatus.EXPIRED: ":zzz: Expired without a decision",
    RequestStatus.CANCELLED: ":heavy_multiplication_x: Cancelled",
}


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: Blocks = field(default_factory=list)


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text[:3000]}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75] if len(text) > 75 else text, "emoji": True}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "context", "elements": [mrkdwn(text)]}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def user(slack_id: str) -> str:
    return f"<@{slack_id}>"


def when(moment: datetime) -> str:
    """A Slack date token: each reader sees it in their own time zone."""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
