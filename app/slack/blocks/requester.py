"""Direct messages to the requester at each outcome, and to the operators when a setting is wrong."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, NeedsOperator, Refused
from app.domain.status import RequestStatus
from app.domain.words import Said
from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, button, channel, joined, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.messages import refusal_lines, request_summary, request_title, what_changed
from app.slack.blocks.nudges import added_text
from app.slack.blocks.question import thread_channel
from app.slack.ids import Action
from app.slack.locale import markup as said_markup
from app.slack.locale import t
from app.slack.metadata import RequestRef, dump


def _told(head: Mrkdwn, desc: RequestDescription) -> Mrkdwn:
    """`head`, then the request it is about, then where its whole story is."""
    thread = thread_channel(desc.request)
    where = [t("The whole story is in its thread in {channel}.", channel=channel(thread))] if thread else []
    return joined([head, request_summary(desc), *where], "\n")


def _resubmit(desc: RequestDescription) -> dict[str, object]:
    ref = dump(RequestRef(request_id=desc.request.id))
    return {"type": "actions", "elements": [button(t("Fix and resubmit"), Action.RESUBMIT, ref, "primary")]}


def _approved_head(desc: RequestDescription, who: Mrkdwn) -> Mrkdwn:
    request = desc.request
    changes = what_changed(request)
    parts = [
        t(":white_check_mark: {who} approved your request with changes: {changes}.", who=who, changes=changes)
        if changes
        else t(":white_check_mark: {who} approved your request.", who=who)
    ]
    if request.decision_reason:
        parts.append(t("They wrote: “{note}”", note=request.decision_reason))
    parts.append(t("Staffdesk is sending it now."))
    return joined(parts, " ")


def build_decision_dm(desc: RequestDescription, status: RequestStatus) -> SlackMessage | None:
    """What the requester hears of a decision; None for their own cancellation."""
    request = desc.request
    who = user(request.decided_by) if request.decided_by else Mrkdwn("Staffdesk")
    if status is RequestStatus.APPROVED:
        head = _approved_head(desc, who)
    elif status is RequestStatus.REJECTED and request.decision_reason:
        head = t(
            ":no_entry: {who} rejected your request: “{reason}”", who=who, reason=request.decision_reason
        )
    elif status is RequestStatus.REJECTED:
        head = t(":no_entry: {who} rejected your request: “no reason given”", who=who)
    elif status is RequestStatus.EXPIRED:
        head = t(":zzz: Your request expired: nobody decided in time. Send it again if it is still needed.")
    elif status is RequestStatus.CANCELLED and request.decided_by != request.requester_id:
        head = t(":heavy_multiplication_x: {who} cancelled your request.", who=who)
    else:
        return None
    text = _told(head, desc)
    return SlackMessage(text, [section(text)])


def build_added_dm(
    desc: RequestDescription, why: str, added: list[str], in_place_of: dict[str, str] | None
) -> SlackMessage:
    """What the requester hears when more approvers are asked: who, why, and which request."""
    text = _told(added_text(why, added, in_place_of), desc)
    return SlackMessage(text, [section(text)])


def _refused_head(outcome: Refused, upstream: str, names: Mapping[str, str | Said]) -> Mrkdwn:
    lines = refusal_lines(outcome, names)
    if outcome.done_people:
        return t(
            ":warning: {upstream} refused part of your request:\n{lines}\nFix and resubmit those refused.",
            upstream=upstream,
            lines=lines,
        )
    return t(
        ":warning: {upstream} refused your request:\n{lines}\nFix it and send it again.",
        upstream=upstream,
        lines=lines,
    )


def _operator_head(upstream: str, final: bool, operators_told: bool) -> Mrkdwn:
    if operators_told and final:
        return t(
            ":rotating_light: Staffdesk cannot reach {upstream} as it should: an administrator has been "
            "asked to fix it.",
            upstream=upstream,
        )
    if operators_told:
        return t(
            ":rotating_light: Staffdesk cannot reach {upstream} as it should: an administrator has been "
            "asked to fix it; Staffdesk sends it once that is done.",
            upstream=upstream,
        )
    if final:
        return t(
            ":rotating_light: Staffdesk cannot reach {upstream} as it should: an administrator must fix it.",
            upstream=upstream,
        )
    return t(
        ":rotating_light: Staffdesk cannot reach {upstream} as it should: an administrator must fix it; "
        "Staffdesk sends it once that is done.",
        upstream=upstream,
    )


def build_outcome_dm(
    desc: RequestDescription, outcome: DeliveryOutcome, *, upstream: str, final: bool, operators_told: bool
) -> SlackMessage | None:
    """What the requester hears of a delivery; None while Staffdesk simply tries again later."""
    if isinstance(outcome, Delivered):
        head = t(":tada: Done: {summary}", summary=outcome.said_summary)
    elif isinstance(outcome, AlreadyDone):
        head = t(":ballot_box_with_check: Already there: {summary}", summary=outcome.said_summary)
    elif isinstance(outcome, Refused):
        head = _refused_head(outcome, upstream, desc.people)
    elif isinstance(outcome, NeedsOperator):
        head = _operator_head(upstream, final, operators_told)
    elif final:
        head = t(
            ":x: Staffdesk could not deliver your request to {upstream} and has stopped trying.",
            upstream=upstream,
        )
    else:
        return None
    text = _told(head, desc)
    blocks: list[dict[str, object]] = [section(text)]
    if isinstance(outcome, Refused) or (final and not isinstance(outcome, Delivered | AlreadyDone)):
        blocks.append(_resubmit(desc))
    return SlackMessage(text, blocks)


def build_operator_message(
    desc: RequestDescription, outcome: NeedsOperator, *, upstream: str
) -> SlackMessage:
    """For the operators: what is wrong, which setting to check, and whose request waits."""
    request = desc.request
    head = markup(":rotating_light: *{}*: {}", upstream, said_markup(outcome.said_reason))
    if outcome.setting:
        head = t("{problem} Check {setting}.", problem=head, setting=outcome.setting)
    waiting = t(
        "Waiting: {who}'s request ({request}), asked {at}; Staffdesk sends it once this is fixed.",
        who=user(request.requester_id),
        request=request_title(desc),
        at=when(request.created_at),
    )
    text = joined([head, waiting], "\n")
    return SlackMessage(text, [section(text)])
