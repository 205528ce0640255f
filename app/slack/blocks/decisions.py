"""The views of a decision: the reason for a rejection, approving an allocation with changes, and the
closing notice of a form."""

from __future__ import annotations

from typing import Any

from app import i18n
from app.domain.requests import AllocationPayload
from app.i18n import format_day
from app.services.queries import RequestDescription
from app.slack.blocks.common import context, plain, section, truncate
from app.slack.blocks.escape import Mrkdwn
from app.slack.blocks.inputs import input_block, text_input
from app.slack.blocks.messages import request_summary
from app.slack.ids import Action, Block, Callback
from app.slack.locale import t
from app.slack.metadata import RequestRef, dump_metadata


def build_reject_modal(desc: RequestDescription) -> dict[str, Any]:
    reason = text_input(Action.REASON, None, t("Why? The requester will see this."))
    reason["multiline"] = True
    blocks = [
        section(Mrkdwn(truncate(request_summary(desc), 2900))),
        input_block(Block.REASON, t("Reason"), reason),
    ]
    meta = {
        "type": "modal",
        "callback_id": Callback.REJECT,
        "title": plain(t("Reject request")),
        "submit": plain(t("Reject")),
        "close": plain(t("Back")),
        "blocks": blocks,
        "private_metadata": dump_metadata(RequestRef(request_id=desc.request.id)),
    }
    return meta


def build_approve_changes_modal(desc: RequestDescription, payload: AllocationPayload) -> dict[str, Any]:
    """Approve fewer days or fewer hours of an allocation: every day asked is picked at first."""
    year = desc.request.created_at.year
    days = [{"text": plain(format_day(d, year)), "value": d.isoformat()} for d in payload.dates]
    picker = {
        "type": "multi_static_select",
        "action_id": Action.DAYS,
        "options": days,
        "initial_options": days,
    }
    hours = {
        "type": "number_input",
        "action_id": Action.HOURS,
        "is_decimal_allowed": False,
        "min_value": "1",
        "max_value": str(payload.hours),
        "initial_value": str(payload.hours),
    }
    blocks = [
        section(Mrkdwn(truncate(request_summary(desc), 2900))),
        input_block(Block.DAYS, t("Days to approve"), picker, hint=t("Remove the days you do not approve.")),
        input_block(
            Block.HOURS,
            t("Hours a day"),
            hours,
            hint=i18n.t("From 1 to the {hours} asked.", hours=payload.hours),
        ),
        _decision_note(),
        context(t("The requester is told what you changed. The days you remove are not allocated.")),
    ]
    return {
        "type": "modal",
        "callback_id": Callback.APPROVE_CHANGES,
        "title": plain(t("Approve with changes")),
        "submit": plain(t("Approve")),
        "close": plain(t("Back")),
        "blocks": blocks,
        "private_metadata": dump_metadata(RequestRef(request_id=desc.request.id)),
    }


def _decision_note() -> dict[str, Any]:
    note = text_input(Action.DECISION_NOTE, None, t("Anything the requester should know"))
    note |= {"multiline": True, "max_length": 1000}
    return input_block(Block.DECISION_NOTE, t("Note for the requester"), note, optional=True)


def build_approve_note_modal(desc: RequestDescription) -> dict[str, Any]:
    """Approve with a word to the requester."""
    return {
        "type": "modal",
        "callback_id": Callback.APPROVE_NOTE,
        "title": plain(t("Approve with a note")),
        "submit": plain(t("Approve")),
        "close": plain(t("Back")),
        "blocks": [section(Mrkdwn(truncate(request_summary(desc), 2900))), _decision_note()],
        "private_metadata": dump_metadata(RequestRef(request_id=desc.request.id)),
    }


def build_notice_view(title: str, text: Mrkdwn) -> dict[str, Any]:
    """A closing view: what happened, in words."""
    return {
        "type": "modal",
        "title": plain(truncate(title, 24)),
        "close": plain(t("Close")),
        "blocks": [section(text)],
    }
