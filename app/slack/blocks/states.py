"""A request's state in words: as its message shows it (with its emoji), in a word or two, and how it
ended."""

from __future__ import annotations

from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.i18n import mark
from app.slack.blocks.common import status_text
from app.slack.blocks.escape import Mrkdwn
from app.slack.locale import markup, t

_OUTCOME_STATE = {
    (RequestStatus.DELIVERED, "already_done"): mark(":ballot_box_with_check: Already there"),
    (RequestStatus.APPROVED, "needs_operator"): mark(":rotating_light: Needs an administrator"),
    (RequestStatus.FAILED, "needs_operator"): mark(":rotating_light: Needs an administrator"),
    (RequestStatus.APPROVED, "retry_later"): mark(":hourglass: Approved, waiting to try again"),
    (RequestStatus.FAILED, "refused"): mark(":warning: Refused"),
}
_FINISHED = {
    (RequestStatus.DELIVERED, ""): mark("Done"),
    (RequestStatus.DELIVERED, "already_done"): mark("Already there"),
    (RequestStatus.FAILED, ""): mark("Failed"),
    (RequestStatus.FAILED, "needs_operator"): mark("Needs an administrator"),
    (RequestStatus.FAILED, "refused"): mark("Refused"),
}


def shown_state(request: StaffingRequest) -> Mrkdwn:
    """The request's state as people understand it: its status, told apart by its last delivery outcome."""
    outcome = str((request.result or {}).get("outcome", ""))
    state = _OUTCOME_STATE.get((request.status, outcome))
    return t(state) if state else status_text(request.status)


def status_word(status: RequestStatus) -> Mrkdwn:
    """A request's state in a word or two, in lower case: "approved"."""
    return markup(status.words)


def finished_words(request: StaffingRequest) -> Mrkdwn:
    """How a delivered or failed request ended, without its emoji: "Done", "Refused"."""
    outcome = str((request.result or {}).get("outcome", ""))
    return t(_FINISHED.get((request.status, outcome)) or _FINISHED[(request.status, "")])
