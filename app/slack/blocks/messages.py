"""The request's message in its channel, the approvers' copies, and the replies in its thread."""

from __future__ import annotations

from datetime import datetime

from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, NeedsOperator, Refused, RetryLater
from app.domain.status import RequestStatus
from app.services.requests import RequestDescription
from app.slack.blocks.common import STATUS_TEXT, SlackMessage, button, context, section, user, when
from app.slack.ids import Action, Block
from app.slack.metadata import RequestRef, dump


def _summary(desc: RequestDescription) -> str:
    kind = desc.request.kind.label.capitalize()
    return f"*{kind}* for *{desc.subject}* on *{desc.project}*\n{desc.details}"


def _state_line(desc: RequestDescription) -> str:
    request = desc.request
    line = STATUS_TEXT[request.status]
    if request.status is RequestStatus.PENDING_APPROVAL and request.approvers:
        line += " from " + " or ".join(user(a) for a in request.approvers)
    decided = (
        request.decided_by and request.decided_at and request.status is not RequestStatus.PENDING_APPROVAL
    )
    if decided and request.decided_by and request.decided_at:
        line += f" · by {user(request.decided_by)} {when(request.decided_at)}"
    if request.decision_reason:
        line += f"\n>{request.decision_reason}"
    return line


def build_request_message(desc: RequestDescription) -> SlackMessage:
    """The request's own message: what, for whom, asked by whom, and its state."""
    request = desc.request
    blocks = [
        section(_summary(desc)),
        context(f"Asked by {user(request.requester_id)} {when(request.created_at)} · {_state_line(desc)}"),
    ]
    if request.status is RequestStatus.PENDING_APPROVAL:
        ref = dump(RequestRef(request_id=request.id))
        blocks.append({"type": "actions", "elements": [button("Cancel request", Action.CANCEL, ref)]})
    text = f"{request.kind.label.capitalize()} for {desc.subject} on {desc.project}: {request.status.label}"
    return SlackMessage(text, blocks)


def build_approval_message(desc: RequestDescription) -> SlackMessage:
    """The question to one approver, with Approve and Reject while it is undecided."""
    request = desc.request
    ref = dump(RequestRef(request_id=request.id))
    blocks = [
        section(f"{user(request.requester_id)} asks for your approval:\n{_summary(desc)}"),
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
    text = f"Approval needed: {request.kind.label} for {desc.subject} on {desc.project}"
    return SlackMessage(text, blocks)


def build_decision_reply(desc: RequestDescription) -> SlackMessage:
    request = desc.request
    who = user(request.decided_by) if request.decided_by else "Staffdesk"
    texts = {
        RequestStatus.APPROVED: f":white_check_mark: Approved by {who}. Staffdesk is sending it now.",
        RequestStatus.REJECTED: f":no_entry: Rejected by {who}: {request.decision_reason or 'no reason'}",
        RequestStatus.CANCELLED: f":heavy_multiplication_x: Cancelled by {who}.",
        RequestStatus.EXPIRED: ":zzz: Expired: nobody decided in time. Ask again if it is still needed.",
    }
    text = texts.get(request.status, STATUS_TEXT[request.status])
    return SlackMessage(text, [section(text)])


def _retry_text(next_attempt_at: datetime | None) -> str:
    return f" Staffdesk will try again {when(next_attempt_at)}." if next_attempt_at else ""


def build_outcome_reply(
    desc: RequestDescription, outcome: DeliveryOutcome, *, upstream: str, next_attempt_at: datetime | None
) -> SlackMessage:
    """The upstream's answer in the request's thread, in plain words, with what happens next."""
    ref = dump(RequestRef(request_id=desc.request.id))
    final = desc.request.status is RequestStatus.FAILED
    if isinstance(outcome, Delivered):
        text = (
            f":tada: Done in {upstream}. {outcome.summary} ({upstream} id {', '.join(outcome.upstream_ids)})"
        )
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, AlreadyDone):
        text = f":ballot_box_with_check: Nothing left to do in {upstream}. {outcome.summary}"
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, Refused):
        lines = "\n".join(f"• *{f.field}*: {f.message}" for f in outcome.failures)
        created = (
            f"\nAlready created before the refusal: {', '.join(outcome.upstream_ids)}."
            if outcome.upstream_ids
            else ""
        )
        text = f":warning: {upstream} refused the request:\n{lines}{created}\nFix it and send it again."
        blocks = [
            section(text),
            {"type": "actions", "elements": [button("Fix and resubmit", Action.RESUBMIT, ref, "primary")]},
        ]
        return SlackMessage(text, blocks)
    if isinstance(outcome, NeedsOperator):
        setting = f" An administrator should check {outcome.setting}." if outcome.setting else ""
        after = " Staffdesk has stopped retrying." if final else _retry_text(next_attempt_at)
        text = f":rotating_light: {outcome.reason}{setting}{after}"
        return SlackMessage(text, [section(text)])
    assert isinstance(outcome, RetryLater)
    after = " Staffdesk has stopped retrying; ask again later." if final else _retry_text(next_attempt_at)
    text = f":hourglass: {outcome.reason}{after}"
    return SlackMessage(text, [section(text)])
