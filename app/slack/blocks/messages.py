"""The request's message in its channel, the approvers' copies, and the replies in its thread."""

from __future__ import annotations

from datetime import datetime

from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, NeedsOperator, Refused, RetryLater
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.slack.blocks.common import (
    STATUS_TEXT,
    SlackMessage,
    button,
    context,
    joined,
    section,
    user,
    when,
)
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.ids import Action, Block
from app.slack.metadata import RequestRef, dump


def request_summary(desc: RequestDescription) -> Mrkdwn:
    """What is asked, for whom and on which project, and its details."""
    kind = desc.request.kind.label.capitalize()
    return markup("*{}* for *{}* on *{}*\n{}", kind, desc.subject, desc.project, desc.details)


def _state_line(desc: RequestDescription) -> Mrkdwn:
    request = desc.request
    line = STATUS_TEXT[request.status]
    if request.status is RequestStatus.PENDING_APPROVAL and request.approvers:
        line = markup("{} from {}", line, joined(map(user, request.approvers), " or "))
    decided = (
        request.decided_by and request.decided_at and request.status is not RequestStatus.PENDING_APPROVAL
    )
    if decided and request.decided_by and request.decided_at:
        line = markup("{} · by {} {}", line, user(request.decided_by), when(request.decided_at))
    if request.decision_reason:
        line = markup("{}\n>{}", line, request.decision_reason)
    return line


def build_request_message(desc: RequestDescription) -> SlackMessage:
    """The request's own message: what, for whom, asked by whom, and its state."""
    request = desc.request
    blocks = [
        section(request_summary(desc)),
        context(
            markup(
                "Asked by {} {} · {}", user(request.requester_id), when(request.created_at), _state_line(desc)
            )
        ),
    ]
    if request.status is RequestStatus.PENDING_APPROVAL:
        ref = dump(RequestRef(request_id=request.id))
        blocks.append({"type": "actions", "elements": [button("Cancel request", Action.CANCEL, ref)]})
    kind = request.kind.label.capitalize()
    text = markup("{} for {} on {}: {}", kind, desc.subject, desc.project, request.status.label)
    return SlackMessage(text, blocks)


def build_approval_message(desc: RequestDescription) -> SlackMessage:
    """The question to one approver, with Approve and Reject while it is undecided."""
    request = desc.request
    ref = dump(RequestRef(request_id=request.id))
    blocks = [
        section(markup("{} asks for your approval:\n{}", user(request.requester_id), request_summary(desc))),
    ]
    if request.status is RequestStatus.PENDING_APPROVAL:
        blocks.append(
            {
                "type": "actions",
                "block_id": Block.DECISION,
                "elements": [
                    button("Approve", Action.APPROVE, ref, style="primary"),
                    button("Reject", Action.REJECT, ref, style="danger"),
                ],
            }
        )
    else:
        blocks.append(context(_state_line(desc), block_id=Block.DECISION))
    text = markup("Approval needed: {} for {} on {}", request.kind.label, desc.subject, desc.project)
    return SlackMessage(text, blocks)


def build_decision_reply(desc: RequestDescription) -> SlackMessage:
    request = desc.request
    who = user(request.decided_by) if request.decided_by else Mrkdwn("Staffdesk")
    texts = {
        RequestStatus.APPROVED: markup(
            ":white_check_mark: Approved by {}. Staffdesk is sending it now.", who
        ),
        RequestStatus.REJECTED: markup(
            ":no_entry: Rejected by {}: {}", who, request.decision_reason or "no reason"
        ),
        RequestStatus.CANCELLED: markup(":heavy_multiplication_x: Cancelled by {}.", who),
        RequestStatus.EXPIRED: Mrkdwn(
            ":zzz: Expired: nobody decided in time. Ask again if it is still needed."
        ),
    }
    text = texts.get(request.status, STATUS_TEXT[request.status])
    return SlackMessage(text, [section(text)])


def _retry_text(next_attempt_at: datetime | None) -> Mrkdwn:
    return markup(" Staffdesk will try again {}.", when(next_attempt_at)) if next_attempt_at else Mrkdwn("")


def _refusal_reply(outcome: Refused, upstream: str, ref: str) -> SlackMessage:
    lines = joined((markup("• *{}*: {}", f.field, f.message) for f in outcome.failures), "\n")
    created = (
        markup("\nAlready created before the refusal: {}.", ", ".join(outcome.upstream_ids))
        if outcome.upstream_ids
        else Mrkdwn("")
    )
    text = markup(
        ":warning: {} refused the request:\n{}{}\nFix it and send it again.", upstream, lines, created
    )
    blocks = [
        section(text),
        {"type": "actions", "elements": [button("Fix and resubmit", Action.RESUBMIT, ref, "primary")]},
    ]
    return SlackMessage(text, blocks)


def build_outcome_reply(
    desc: RequestDescription, outcome: DeliveryOutcome, *, upstream: str, next_attempt_at: datetime | None
) -> SlackMessage:
    """The upstream's answer in the request's thread, in plain words, with what happens next."""
    ref = dump(RequestRef(request_id=desc.request.id))
    final = desc.request.status is RequestStatus.FAILED
    if isinstance(outcome, Delivered):
        ids = ", ".join(outcome.upstream_ids)
        text = markup(":tada: Done in {}. {} ({} id {})", upstream, outcome.summary, upstream, ids)
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, AlreadyDone):
        text = markup(":ballot_box_with_check: Nothing left to do in {}. {}", upstream, outcome.summary)
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, Refused):
        return _refusal_reply(outcome, upstream, ref)
    if isinstance(outcome, NeedsOperator):
        asked = Mrkdwn(" An administrator needs to fix Staffdesk's settings.")
        after = Mrkdwn(" Staffdesk has stopped retrying.") if final else _retry_text(next_attempt_at)
        text = markup(":rotating_light: {}{}{}", outcome.reason, asked, after)
        return SlackMessage(text, [section(text)])
    assert isinstance(outcome, RetryLater)
    stopped = Mrkdwn(" Staffdesk has stopped retrying; ask again later.")
    text = markup(":hourglass: {}{}", outcome.reason, stopped if final else _retry_text(next_attempt_at))
    return SlackMessage(text, [section(text)])
