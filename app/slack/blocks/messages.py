"""The request's message in its channel, the approvers' copies, and the replies in its thread."""

from __future__ import annotations

from datetime import datetime

from app.domain.dates import day_text, days_text
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
from app.policy.model import permissions_in_words
from app.services.queries import ApprovalFacts, DayPreview, RequestDescription
from app.slack.blocks.amends import amend_buttons, amended_words
from app.slack.blocks.common import (
    STATUS_TEXT,
    SlackMessage,
    button,
    channel,
    context,
    joined,
    section,
    user,
    when,
)
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.ids import Action, Block
from app.slack.metadata import RequestRef, dump


def request_title(desc: RequestDescription, *, bold: bool = False) -> Mrkdwn:
    """What is asked, for whom and where: "Allocation: Marta Gallo on Apollo Website (AP-1)"."""
    template = "*{}*: *{}* on *{}*" if bold else "{}: {} on {}"
    return markup(template, desc.title, desc.subject, desc.project)


def request_summary(desc: RequestDescription) -> Mrkdwn:
    """What is asked, for whom and on which project, and its details."""
    return markup("{}\n{}", request_title(desc, bold=True), desc.details)


_OUTCOME_STATE = {
    (RequestStatus.DELIVERED, "already_done"): Mrkdwn(":ballot_box_with_check: Already there"),
    (RequestStatus.APPROVED, "needs_operator"): Mrkdwn(":rotating_light: Needs an administrator"),
    (RequestStatus.FAILED, "needs_operator"): Mrkdwn(":rotating_light: Needs an administrator"),
    (RequestStatus.APPROVED, "retry_later"): Mrkdwn(":hourglass: Approved, waiting to try again"),
    (RequestStatus.FAILED, "refused"): Mrkdwn(":warning: Refused"),
}


def shown_state(request: StaffingRequest) -> Mrkdwn:
    """The request's state as people understand it: its status, told apart by its last delivery outcome."""
    outcome = str((request.result or {}).get("outcome", ""))
    return _OUTCOME_STATE.get((request.status, outcome), STATUS_TEXT[request.status])


def actors(request: StaffingRequest) -> Mrkdwn:
    """Who did what, in order: asked, decided, delivered."""
    parts = [markup("Asked by {} {}", user(request.requester_id), when(request.created_at))]
    if request.status is not RequestStatus.PENDING_APPROVAL and request.decided_at:
        parts.append(_decision(request, request.decided_at))
    if request.status in (RequestStatus.DELIVERED, RequestStatus.FAILED):
        words = shown_state(request).split(" ", 1)[-1]  # the state without its emoji
        parts.append(markup("{} {} by Staffdesk", words, when(request.updated_at)))
    return joined(parts, " · ")


def _decision(request: StaffingRequest, at: datetime) -> Mrkdwn:
    if request.status is RequestStatus.EXPIRED or not request.decided_by:
        return markup("Expired {}", when(at))
    if request.status is RequestStatus.REJECTED:
        return markup("Rejected by {} {}", user(request.decided_by), when(at))
    if request.status is RequestStatus.CANCELLED:
        return markup("Cancelled by {} {}", user(request.decided_by), when(at))
    if request.decided_by == request.requester_id:
        return markup("Approved at once {}: {} may do this", when(at), user(request.requester_id))
    if changed := what_changed(request):
        return markup("Approved with changes by {} {}: {}", user(request.decided_by), when(at), changed)
    return markup("Approved by {} {}", user(request.decided_by), when(at))


def decision_words(request: StaffingRequest) -> Mrkdwn:
    """The approver's words with the decision: the reason of a rejection, the note of an approval."""
    label = "Reason" if request.status is RequestStatus.REJECTED else "Note from the approver"
    return markup("{}: {}", label, request.decision_reason or "")


def build_request_message(desc: RequestDescription) -> SlackMessage:
    """The request's own message: its state first, then what, for whom, and who did what."""
    request = desc.request
    state = shown_state(request)
    if request.status is RequestStatus.PENDING_APPROVAL and request.approvers:
        state = markup("{} from {}", state, joined(map(user, request.approvers), " or "))
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
        blocks.append({"type": "actions", "elements": [button("Cancel request", Action.CANCEL, ref)]})
    if amend := amend_buttons(request):
        blocks.append({"type": "actions", "elements": amend})
    text = markup("{}: {}", shown_state(request), request_title(desc))
    return SlackMessage(text, blocks)


def _note(desc: RequestDescription) -> list[dict[str, object]]:
    note = desc.request.note
    if not note:
        return []
    quoted = joined((markup(">{}", line) for line in note.splitlines() or [""]), "\n")
    return [section(markup("{} wrote:\n{}", user(desc.request.requester_id), quoted))]


def _days(facts: ApprovalFacts | None, year: int, names: dict[str, str]) -> list[dict[str, object]]:
    if facts is None or (facts.days is None and facts.days_problem is None and not facts.each):
        return []
    if facts.days_problem:
        return [context(markup(":warning: {}", facts.days_problem))]
    if facts.each:
        most = max(2, 24 // len(facts.each))
        parts = [
            markup("*{}*\n{}", names.get(person, person), joined(_day_lines(days, year, most), "\n"))
            for person, days in facts.each
        ]
        return [section(markup("*The days, with what each person already has:*\n{}", joined(parts, "\n")))]
    lines = _day_lines(facts.days or [], year, 23)
    return [section(markup("*The days, with what the person already has:*\n{}", joined(lines, "\n")))]


def _day_lines(days: list[DayPreview], year: int, most: int) -> list[Mrkdwn]:
    return [
        markup("• {}: {} h already + {} h{}", day_text(d.day, year), d.already, d.adding, _over(d))
        for d in days[:most]
    ]


def _over(day: DayPreview) -> Mrkdwn:
    return markup(" :warning: *{} h, over 8*", day.total) if day.over else markup(" → {} h", day.total)


def _why_asked(desc: RequestDescription, facts: ApprovalFacts | None) -> Mrkdwn:
    request = desc.request
    parts = []
    if request.lacking:
        parts.append(
            markup(
                "You are asked because {} may not {}.",
                user(request.requester_id),
                permissions_in_words(request.lacking),
            )
        )
    if facts is not None:
        parts.append(markup("It expires {} if nobody decides.", when(facts.expires_at)))
    if (thread := thread_channel(request)) is not None:
        parts.append(markup("Its thread is in {}.", channel(thread)))
    return joined(parts, " ")


def thread_channel(request: StaffingRequest) -> str | None:
    """The channel whose thread holds the request's story, when it was posted in a channel (not a DM)."""
    if request.channel_id and request.channel_id.startswith("C") and request.message_ts:
        return request.channel_id
    return None


def _approve_with_changes(request: StaffingRequest, ref: str) -> list[dict[str, object]]:
    """An allocation may be approved for fewer days or fewer hours, with a note; anything with a note
    (an undo or a change only as asked: it touches exactly what its request recorded)."""
    if isinstance(request.payload, AllocationPayload) and request.amends is None:
        return [button("Approve with changes", Action.APPROVE_CHANGES, ref)]
    return [button("Approve with a note", Action.APPROVE_NOTE, ref)]


def what_changed(request: StaffingRequest) -> Mrkdwn:
    """What an approver took out of what was asked: "4 h a day instead of 8; not Tue 8 Dec"; or nothing."""
    asked, approved = request.asked, request.payload
    if not isinstance(asked, AllocationPayload) or not isinstance(approved, AllocationPayload):
        return Mrkdwn("")
    parts = []
    if approved.hours != asked.hours:
        parts.append(markup("{} h a day instead of {}", approved.hours, asked.hours))
    if dropped := sorted(set(asked.dates) - set(approved.dates)):
        parts.append(markup("not {}", days_text(dropped, request.created_at.year)))
    return joined(parts, "; ")


def build_approval_message(desc: RequestDescription, facts: ApprovalFacts | None = None) -> SlackMessage:
    """The question to one approver, with what the requester saw, why they are asked and until when;
    with Approve and Reject while it is undecided, and as decided once it is."""
    request = desc.request
    ref = dump(RequestRef(request_id=request.id))
    blocks: list[dict[str, object]] = [
        section(markup("{} asks for your approval:\n{}", user(request.requester_id), request_summary(desc))),
        *_note(desc),
    ]
    if request.status is RequestStatus.PENDING_APPROVAL:
        blocks += _days(facts, request.created_at.year, desc.people) if request.amends is None else []
        if why := _why_asked(desc, facts):
            blocks.append(context(why))
        blocks.append(
            {
                "type": "actions",
                "block_id": Block.DECISION,
                "elements": [
                    button("Approve", Action.APPROVE, ref, style="primary"),
                    *_approve_with_changes(request, ref),
                    button("Reject", Action.REJECT, ref, style="danger"),
                ],
            }
        )
        text = markup("Approval needed: {}", request_title(desc))
    else:
        reason = markup("\n{}", decision_words(request)) if request.decision_reason else Mrkdwn("")
        line = markup("*{}* · {}{}", shown_state(request), actors(request), reason)
        blocks.append(context(line, block_id=Block.DECISION))
        text = markup("Decided: {}: {}", request_title(desc), request.status.label)
    return SlackMessage(text, blocks)


def build_decision_reply(desc: RequestDescription) -> SlackMessage:
    request = desc.request
    who = user(request.decided_by) if request.decided_by else Mrkdwn("Staffdesk")
    texts = {
        RequestStatus.APPROVED: markup(
            ":white_check_mark: Approved by {}{}{}. Staffdesk is sending it now.",
            who,
            _changed(request),
            markup(": “{}”", request.decision_reason) if request.decision_reason else Mrkdwn(""),
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


def _changed(request: StaffingRequest) -> Mrkdwn:
    changed = what_changed(request)
    return markup(" with changes: {}", changed) if changed else Mrkdwn("")


def _retry_text(next_attempt_at: datetime | None) -> Mrkdwn:
    return markup(" Staffdesk will try again {}.", when(next_attempt_at)) if next_attempt_at else Mrkdwn("")


def refusal_lines(outcome: Refused, names: dict[str, str]) -> Mrkdwn:
    """Each refused field in words; with several people, each person's result: done, or what was refused."""

    def line(f: FieldFailure) -> Mrkdwn:
        if f.person_id is None:
            return markup("• *{}*: {}", f.field, f.message)
        return markup("• *{}*, {}: {}", names.get(str(f.person_id), str(f.person_id)), f.field, f.message)

    done = [markup("• *{}*: allocated", names.get(str(p), str(p))) for p in outcome.done_people]
    return joined([*done, *(line(f) for f in outcome.failures)], "\n")


def _refusal_reply(outcome: Refused, upstream: str, ref: str, names: dict[str, str]) -> SlackMessage:
    lines = refusal_lines(outcome, names)
    created = (
        markup("\nAlready created before the refusal: {}.", ", ".join(outcome.upstream_ids))
        if outcome.upstream_ids and not outcome.done_people
        else Mrkdwn("")
    )
    again = (
        "Fix it and send it again"
        if not outcome.done_people
        else "*Fix and resubmit* asks again for those refused only"
    )
    what = "part of the request" if outcome.done_people else "the request"
    text = markup(":warning: {} refused {}:\n{}{}\n{}.", upstream, what, lines, created, again)
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
        text = markup(":tada: Done: {} ({} id {})", outcome.summary, upstream, ids)
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, AlreadyDone):
        text = markup(":ballot_box_with_check: Already there: {}", outcome.summary)
        return SlackMessage(text, [section(text)])
    if isinstance(outcome, Refused):
        return _refusal_reply(outcome, upstream, ref, desc.people)
    if isinstance(outcome, NeedsOperator):
        asked = Mrkdwn(" An administrator needs to fix Staffdesk's settings.")
        after = Mrkdwn(" Staffdesk has stopped retrying.") if final else _retry_text(next_attempt_at)
        text = markup(":rotating_light: {}{}{}", outcome.reason, asked, after)
        return SlackMessage(text, [section(text)])
    assert isinstance(outcome, RetryLater)
    stopped = Mrkdwn(" Staffdesk has stopped retrying; ask again later.")
    text = markup(":hourglass: {}{}", outcome.reason, stopped if final else _retry_text(next_attempt_at))
    return SlackMessage(text, [section(text)])
