"""Direct messages to the requester at each outcome, and to the operators when a setting is wrong."""

from __future__ import annotations

from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, NeedsOperator, Refused
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, button, channel, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.blocks.messages import (
    refusal_lines,
    request_summary,
    request_title,
    thread_channel,
    what_changed,
)
from app.slack.blocks.nudges import added_text
from app.slack.ids import Action
from app.slack.metadata import RequestRef, dump


def _where(desc: RequestDescription) -> Mrkdwn:
    thread = thread_channel(desc.request)
    return markup("\nThe whole story is in its thread in {}.", channel(thread)) if thread else Mrkdwn("")


def _resubmit(desc: RequestDescription) -> dict[str, object]:
    ref = dump(RequestRef(request_id=desc.request.id))
    return {"type": "actions", "elements": [button("Fix and resubmit", Action.RESUBMIT, ref, "primary")]}


def build_decision_dm(desc: RequestDescription, status: RequestStatus) -> SlackMessage | None:
    """What the requester hears of a decision; None for their own cancellation."""
    request = desc.request
    who = user(request.decided_by) if request.decided_by else Mrkdwn("Staffdesk")
    if status is RequestStatus.APPROVED:
        changed = what_changed(request)
        head = (
            markup(":white_check_mark: {} approved your request with changes: {}. ", who, changed)
            if changed
            else markup(":white_check_mark: {} approved your request. ", who)
        )
        if request.decision_reason:
            head = markup("{}They wrote: “{}” ", head, request.decision_reason)
        head = markup("{}Staffdesk is sending it now.", head)
    elif status is RequestStatus.REJECTED:
        head = markup(
            ":no_entry: {} rejected your request: “{}”", who, request.decision_reason or "no reason given"
        )
    elif status is RequestStatus.EXPIRED:
        head = Mrkdwn(
            ":zzz: Your request expired: nobody decided in time. Send it again if it is still needed."
        )
    elif status is RequestStatus.CANCELLED and request.decided_by != request.requester_id:
        head = markup(":heavy_multiplication_x: {} cancelled your request.", who)
    else:
        return None
    text = markup("{}\n{}{}", head, request_summary(desc), _where(desc))
    return SlackMessage(text, [section(text)])


def build_added_dm(
    desc: RequestDescription, why: str, added: list[str], in_place_of: dict[str, str] | None
) -> SlackMessage:
    """What the requester hears when more approvers are asked: who, why, and which request."""
    text = markup("{}\n{}{}", added_text(why, added, in_place_of), request_summary(desc), _where(desc))
    return SlackMessage(text, [section(text)])


def build_outcome_dm(
    desc: RequestDescription, outcome: DeliveryOutcome, *, upstream: str, final: bool, operators_told: bool
) -> SlackMessage | None:
    """What the requester hears of a delivery; None while Staffdesk simply tries again later."""
    if isinstance(outcome, Delivered):
        head = markup(":tada: Done: {}", outcome.summary)
    elif isinstance(outcome, AlreadyDone):
        head = markup(":ballot_box_with_check: Already there: {}", outcome.summary)
    elif isinstance(outcome, Refused):
        again = "Fix it and send it again" if not outcome.done_people else "Fix and resubmit those refused"
        lines = refusal_lines(outcome, desc.people)
        what = "part of your request" if outcome.done_people else "your request"
        head = markup(":warning: {} refused {}:\n{}\n{}.", upstream, what, lines, again)
    elif isinstance(outcome, NeedsOperator):
        asked = (
            "an administrator has been asked to fix it" if operators_told else "an administrator must fix it"
        )
        more = "" if final else "; Staffdesk sends it once that is done"
        head = markup(":rotating_light: Staffdesk cannot reach {} as it should: {}{}.", upstream, asked, more)
    elif final:
        head = markup(":x: Staffdesk could not deliver your request to {} and has stopped trying.", upstream)
    else:
        return None
    text = markup("{}\n{}{}", head, request_summary(desc), _where(desc))
    blocks: list[dict[str, object]] = [section(text)]
    if isinstance(outcome, Refused) or (final and not isinstance(outcome, Delivered | AlreadyDone)):
        blocks.append(_resubmit(desc))
    return SlackMessage(text, blocks)


def build_operator_message(
    desc: RequestDescription, outcome: NeedsOperator, *, upstream: str
) -> SlackMessage:
    """For the operators: what is wrong, which setting to check, and whose request waits."""
    request = desc.request
    setting = markup(" Check {}.", outcome.setting) if outcome.setting else Mrkdwn("")
    text = markup(
        ":rotating_light: *{}*: {}{}\nWaiting: {}'s request ({}), asked {}; "
        "Staffdesk sends it once this is fixed.",
        upstream,
        outcome.reason,
        setting,
        user(request.requester_id),
        request_title(desc),
        when(request.created_at),
    )
    return SlackMessage(text, [section(text)])
