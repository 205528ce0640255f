"""The request's message in its channel, the approvers' copies, and the replies in its thread."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.domain.outcomes import (
    AlreadyDone,
    Delivered,
    DeliveryOutcome,
    FieldFailure,
    NeedsOperator,
    Refused,
    RetryLater,
)
from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.domain.words import Said
from app.i18n import format_days
from app.services.queries import ApprovalFacts, RequestDescription
from app.slack.blocks.amends import amend_buttons, amended_words
from app.slack.blocks.common import (
    SlackMessage,
    button,
    context,
    joined,
    section,
    status_text,
    user,
    when,
)
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.question import days_blocks, decision_buttons, note_blocks, why_asked
from app.slack.blocks.states import finished_words, shown_state, status_word
from app.slack.ids import Action, Block
from app.slack.locale import markup as said_markup
from app.slack.locale import t
from app.slack.metadata import RequestRef, dump


def request_title(desc: RequestDescription, *, bold: bool = False) -> Mrkdwn:
    """What is asked, for whom and where: "Allocation: Marta Gallo on Apollo Website (AP-1)"."""
    words = {"title": desc.title, "subject": desc.subject, "project": desc.project}
    if bold:
        return t("*{title}*: *{subject}* on *{project}*", **words)
    return t("{title}: {subject} on {project}", **words)


def request_summary(desc: RequestDescription) -> Mrkdwn:
    """What is asked, for whom and on which project, and its details."""
    return markup("{}\n{}", request_title(desc, bold=True), said_markup(desc.details))


def actors(request: StaffingRequest) -> Mrkdwn:
    """Who did what, in order: asked, decided, delivered."""
    parts = [t("Asked by {who} {at}", who=user(request.requester_id), at=when(request.created_at))]
    if request.status is not RequestStatus.PENDING_APPROVAL and request.decided_at:
        parts.append(_decision(request, request.decided_at))
    if request.status in (RequestStatus.DELIVERED, RequestStatus.FAILED):
        parts.append(
            t("{state} {at} by Staffdesk", state=finished_words(request), at=when(request.updated_at))
        )
    return joined(parts, " · ")


def _decision(request: StaffingRequest, at: datetime) -> Mrkdwn:
    if request.status is RequestStatus.EXPIRED or not request.decided_by:
        return t("Expired {at}", at=when(at))
    who = user(request.decided_by)
    if request.status is RequestStatus.REJECTED:
        return t("Rejected by {who} {at}", who=who, at=when(at))
    if request.status is RequestStatus.CANCELLED:
        return t("Cancelled by {who} {at}", who=who, at=when(at))
    if request.decided_by == request.requester_id:
        return t("Approved at once {at}: {who} may do this", at=when(at), who=user(request.requester_id))
    if changed := what_changed(request):
        return t("Approved with changes by {who} {at}: {changes}", who=who, at=when(at), changes=changed)
    return t("Approved by {who} {at}", who=who, at=when(at))


def decision_words(request: StaffingRequest) -> Mrkdwn:
    """The approver's words with the decision: the reason of a rejection, the note of an approval."""
    words = request.decision_reason or ""
    if request.status is RequestStatus.REJECTED:
        return t("Reason: {words}", words=words)
    return t("Note from the approver: {words}", words=words)


def build_request_message(desc: RequestDescription) -> SlackMessage:
    """The request's own message: its state first, then what, for whom, and who did what."""
    request = desc.request
    state = shown_state(request)
    if request.status is RequestStatus.PENDING_APPROVAL and request.approvers:
        approvers = joined(map(user, request.approvers), t(" or "))
        state = t("{state} from {approvers}", state=state, approvers=approvers)
    blocks = [
        section(markup("*{}*\n{}", state, request_summary(desc))),
        context(actors(request)),
    ]
    if request.decision_reason:
        blocks.append(context(decision_words(request)))
    amended = amended_words(desc)
    if amended:
        blocks.append(context(amended))
    if request.status is RequestStatus.PENDING_APPROVAL:
        ref = dump(RequestRef(request_id=request.id))
        blocks.append({"type": "actions", "elements": [button(t("Cancel request"), Action.CANCEL, ref)]})
    if amend := amend_buttons(request):
        blocks.append({"type": "actions", "elements": amend})
    text = markup("{}: {}", shown_state(request), request_title(desc))
    return SlackMessage(text, blocks)


def what_changed(request: StaffingRequest) -> Mrkdwn:
    """What an approver took out of what was asked: "4 h a day instead of 8; not Tue 8 Dec"; or nothing."""
    asked, approved = request.asked, request.payload
    if not isinstance(asked, AllocationPayload) or not isinstance(approved, AllocationPayload):
        return Mrkdwn("")
    parts = []
    if approved.hours != asked.hours:
        parts.append(t("{hours} h a day instead of {asked}", hours=approved.hours, asked=asked.hours))
    if dropped := sorted(set(asked.dates) - set(approved.dates)):
        parts.append(t("not {days}", days=format_days(dropped, request.created_at.year)))
    return joined(parts, "; ")


def build_approval_message(desc: RequestDescription, facts: ApprovalFacts | None = None) -> SlackMessage:
    """The question to one approver, with what the requester saw, why they are asked and until when;
    with Approve and Reject while it is undecided, and as decided once it is."""
    request = desc.request
    ref = dump(RequestRef(request_id=request.id))
    asks = t(
        "{who} asks for your approval:\n{request}",
        who=user(request.requester_id),
        request=request_summary(desc),
    )
    blocks: list[dict[str, object]] = [section(asks), *note_blocks(desc)]
    if request.status is RequestStatus.PENDING_APPROVAL:
        blocks += days_blocks(facts, request.created_at.year, desc.people) if request.amends is None else []
        if why := why_asked(desc, facts):
            blocks.append(context(why))
        blocks.append(
            {"type": "actions", "block_id": Block.DECISION, "elements": decision_buttons(request, ref)}
        )
        text = t("Approval needed: {title}", title=request_title(desc))
    else:
        reason = markup("\n{}", decision_words(request)) if request.decision_reason else Mrkdwn("")
        line = markup("*{}* · {}{}", shown_state(request), actors(request), reason)
        blocks.append(context(line, block_id=Block.DECISION))
        text = t("Decided: {title}: {status}", title=request_title(desc), status=status_word(request.status))
    return SlackMessage(text, blocks)


def build_decision_reply(desc: RequestDescription) -> SlackMessage:
    text = _decision_reply_text(desc.request)
    return SlackMessage(text, [section(text)])


def _decision_reply_text(request: StaffingRequest) -> Mrkdwn:
    who = user(request.decided_by) if request.decided_by else Mrkdwn("Staffdesk")
    if request.status is RequestStatus.APPROVED:
        return _approved_text(request, who)
    if request.status is RequestStatus.REJECTED:
        if request.decision_reason:
            return t(":no_entry: Rejected by {who}: {reason}", who=who, reason=request.decision_reason)
        return t(":no_entry: Rejected by {who}: no reason", who=who)
    if request.status is RequestStatus.CANCELLED:
        return t(":heavy_multiplication_x: Cancelled by {who}.", who=who)
    if request.status is RequestStatus.EXPIRED:
        return t(":zzz: Expired: nobody decided in time. Ask again if it is still needed.")
    return status_text(request.status)


def _approved_text(request: StaffingRequest, who: Mrkdwn) -> Mrkdwn:
    changes, note = what_changed(request), request.decision_reason
    if changes and note:
        return t(
            ":white_check_mark: Approved by {who} with changes: {changes}: “{note}”. "
            "Staffdesk is sending it now.",
            who=who,
            changes=changes,
            note=note,
        )
    if changes:
        return t(
            ":white_check_mark: Approved by {who} with changes: {changes}. Staffdesk is sending it now.",
            who=who,
            changes=changes,
        )
    if note:
        return t(
            ":white_check_mark: Approved by {who}: “{note}”. Staffdesk is sending it now.", who=who, note=note
        )
    return t(":white_check_mark: Approved by {who}. Staffdesk is sending it now.", who=who)


def _retry_text(next_attempt_at: datetime | None) -> list[Mrkdwn]:
    return [t("Staffdesk will try again {at}.", at=when(next_attempt_at))] if next_attempt_at else []


def refusal_lines(outcome: Refused, names: Mapping[str, str | Said]) -> Mrkdwn:
    """Each refused field in words; with several people, each person's result: done, or what was refused."""

    def line(f: FieldFailure) -> Mrkdwn:
        message = said_markup(f.said_message)
        if f.person_id is None:
            return markup("• *{}*: {}", f.field, message)
        who = said_markup(names.get(str(f.person_id), str(f.person_id)))
        return markup("• *{}*, {}: {}", who, f.field, message)

    done = [t("• *{name}*: allocated", name=names.get(str(p), str(p))) for p in outcome.done_people]
    return joined([*done, *(line(f) for f in outcome.failures)], "\n")


def _refusal_reply(
    outcome: Refused, upstream: str, ref: str, names: Mapping[str, str | Said]
) -> SlackMessage:
    lines = refusal_lines(outcome, names)
    if outcome.done_people:
        text = t(
            ":warning: {upstream} refused part of the request:\n{lines}\n"
            "*Fix and resubmit* asks again for those refused only.",
            upstream=upstream,
            lines=lines,
        )
    elif outcome.upstream_ids:
        text = t(
            ":warning: {upstream} refused the request:\n{lines}\n"
            "Already created before the refusal: {ids}.\nFix it and send it again.",
            upstream=upstream,
            lines=lines,
            ids=", ".join(outcome.upstream_ids),
        )
    else:
        text = t(
            ":warning: {upstream} refused the request:\n{lines}\nFix it and send it again.",
            upstream=upstream,
            lines=lines,
        )
    blocks = [
        section(text),
        {"type": "actions", "elements": [button(t("Fix and resubmit"), Action.RESUBMIT, ref, "primary")]},
    ]
    return SlackMessage(text, blocks)


def build_outcome_reply(
    desc: RequestDescription, outcome: DeliveryOutcome, *, upstream: str, next_attempt_at: datetime | None
) -> SlackMessage:
    """The upstream's answer in the request's thread, in plain words, with what happens next."""
    ref = dump(RequestRef(request_id=desc.request.id))
    final = desc.request.status is RequestStatus.FAILED
    if isinstance(outcome, Refused):
        return _refusal_reply(outcome, upstream, ref, desc.people)
    if isinstance(outcome, Delivered):
        ids = ", ".join(outcome.upstream_ids)
        text = t(
            ":tada: Done: {summary} ({upstream} id {ids})",
            summary=outcome.said_summary,
            upstream=upstream,
            ids=ids,
        )
    elif isinstance(outcome, AlreadyDone):
        text = t(":ballot_box_with_check: Already there: {summary}", summary=outcome.said_summary)
    elif isinstance(outcome, NeedsOperator):
        after = [t("Staffdesk has stopped retrying.")] if final else _retry_text(next_attempt_at)
        asked = t("An administrator needs to fix Staffdesk's settings.")
        text = joined([markup(":rotating_light: {}", said_markup(outcome.said_reason)), asked, *after], " ")
    else:
        assert isinstance(outcome, RetryLater)
        after = (
            [t("Staffdesk has stopped retrying; ask again later.")] if final else _retry_text(next_attempt_at)
        )
        text = joined([markup(":hourglass: {}", said_markup(outcome.said_reason)), *after], " ")
    return SlackMessage(text, [section(text)])
