"""The messages of a request's path, for the check that every word shown comes from the catalog: the
request's message and its thread, the approvers' questions and reminders, the requester's DMs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from app.domain.outcomes import DeliveryOutcome, FieldFailure, Refused, RetryLater
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.policy.model import permissions_in_words
from app.services.queries import ApprovalFacts, DayPreview, RequestDescription
from app.slack.blocks.amends import amended_words, build_amended_reply
from app.slack.blocks.common import SlackMessage
from app.slack.blocks.inputs import Choice
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
)
from app.slack.blocks.nudges import build_added_message, build_reminder_dm
from app.slack.blocks.requester import (
    build_added_dm,
    build_decision_dm,
    build_operator_message,
    build_outcome_dm,
)
from tests.pseudo_locale import Screen
from tests.snapshot_cases import (
    ALLOCATION,
    ALREADY,
    DAYS,
    DECIDED_AT,
    DELIVERED,
    DONE_AT,
    NEEDS_OPERATOR,
    REFUSED,
    WHITELIST,
    decided,
    delivered_as,
    described,
)

S = RequestStatus
HARBOR = Choice("42", "Harbor Tower (HT-1)")
LINK = "https://acme.slack.com/archives/D0PM00001/p1700000000000100"
LACKING = ("planning.modify_other",)
RETRY = RetryLater(reason="Wethod did not answer in time.")
NAMES = {"7": "Marta Gallo", "8": "Paolo Neri"}


def words_of(desc: RequestDescription) -> tuple[str, ...]:
    """What a description gives a builder: its words from the services, the note and the reason."""
    request = desc.request
    said = (desc.title, desc.subject, desc.project, desc.details, desc.amendment_details, request.note)
    return tuple(w for w in (*said, request.decision_reason, *desc.people.values()) if w)


def _outcome_words(outcome: DeliveryOutcome) -> tuple[str, ...]:
    words = [getattr(outcome, name, None) for name in ("summary", "reason", "setting")]
    if isinstance(outcome, Refused):
        words += [w for f in outcome.failures for w in (f.field, f.message)]
    return ("Wethod", *(w for w in words if w))


def _messages(*messages: SlackMessage | None) -> list[object]:
    return [{"text": m.text, "blocks": m.blocks} for m in messages if m is not None]


def approval_facts() -> ApprovalFacts:
    days = [DayPreview(DAYS[0], 6, 4), DayPreview(DAYS[1], 0, 4), DayPreview(DAYS[2], 2, 4)]
    return ApprovalFacts(expires_at=DECIDED_AT + timedelta(days=2), days=days)


def _with_changes() -> RequestDescription:
    approved = ALLOCATION.model_copy(update={"dates": (DAYS[0], DAYS[-1]), "hours": ALLOCATION.hours // 2})
    return decided(S.APPROVED, approved, asked=ALLOCATION, decision_reason="Only the first and last day.")


def amendment(action: AmendAction) -> Amendment:
    previous = tuple(Placement(upstream_id=f"90{i + 1}", day=d, hours=4) for i, d in enumerate(DAYS))
    return Amendment(action=action, of_request="r-original", previous=previous, person_id=7)


def _undo() -> RequestDescription:
    undo = amendment(AmendAction.UNDO)
    return described(requester_id="U0OTHER01", amends=undo, note=None, lacking=LACKING)


def _amended(action: AmendAction, status: RequestStatus) -> RequestDescription:
    """The delivered original, with its undo or change in `status`."""
    asked: StaffingRequest = described(requester_id="U0OTHER01", amends=amendment(action)).request
    result = {"summary": "Deleted 3 allocations in Wethod.", "removed": ["901", "902", "903"]}
    undone = asked.model_copy(update={"status": status, "updated_at": DONE_AT, "result": result})
    original = delivered_as(DELIVERED, S.DELIVERED)
    request = original.request.model_copy(update={"amended_by": undone.id})
    details = "6 h a day, Tue 1 – Wed 2 Dec (2 days)"
    return replace(original, request=request, amended_by=undone, amendment_details=details)


def _of(desc: RequestDescription, *messages: SlackMessage | None, more: tuple[str, ...] = ()) -> Screen:
    return Screen(_messages(*messages), words_of(desc) + more)


def _outcome(outcome: DeliveryOutcome, status: RequestStatus, final: bool = True) -> Screen:
    desc = delivered_as(outcome, status)
    reply = build_outcome_reply(desc, outcome, upstream="Wethod", next_attempt_at=DONE_AT)
    dm = build_outcome_dm(desc, outcome, upstream="Wethod", final=final, operators_told=final)
    return _of(desc, build_request_message(desc), reply, dm, more=_outcome_words(outcome))


def _two_people_refused() -> Screen:
    payload = ALLOCATION.model_copy(update={"also": (8,)})
    failure = FieldFailure(field="hours", message="2026-12-01: The person is on leave.", person_id=8)
    refused = Refused(
        failures=(failure,), summary="Wethod refused 1 of 2.", upstream_ids=("901",), done_people=(7,)
    )
    desc = replace(decided(S.FAILED, payload, result=refused.model_dump(mode="json")), people=NAMES)
    reply = build_outcome_reply(desc, refused, upstream="Wethod", next_attempt_at=None)
    dm = build_outcome_dm(desc, refused, upstream="Wethod", final=True, operators_told=True)
    return _of(desc, reply, dm, more=_outcome_words(refused))


def _approval(desc: RequestDescription, facts: ApprovalFacts | None) -> Screen:
    problem = (facts.days_problem,) if facts and facts.days_problem else ()
    return _of(desc, build_approval_message(desc, facts), more=(permissions_in_words(LACKING), *problem))


def _decided(status: RequestStatus, desc: RequestDescription | None = None) -> Screen:
    desc = desc or decided(status)
    messages = (build_request_message(desc), build_approval_message(desc), build_decision_reply(desc))
    return _of(desc, *messages, build_decision_dm(desc, status))


def _reminders() -> Screen:
    desc = described()
    return _of(
        desc, build_reminder_dm(desc, LINK, 4.0, DECIDED_AT), build_reminder_dm(desc, None, 50.0, None)
    )


def _added(why: str, added: list[str], in_place_of: dict[str, str] | None) -> Screen:
    desc = described()
    return _of(
        desc, build_added_message(why, added, in_place_of), build_added_dm(desc, why, added, in_place_of)
    )


def _amendment_words() -> Screen:
    shown = [
        amended_words(_amended(action, status))
        for action in AmendAction
        for status in (S.DELIVERED, S.PENDING_APPROVAL, S.APPROVED, S.DELIVERING, S.REJECTED)
    ]
    return Screen([s for s in shown if s], words_of(_amended(AmendAction.CHANGE, S.DELIVERED)))


REQUEST_SCREENS: dict[str, Callable[[], Screen]] = {
    "request-pending": lambda: _of(described(), build_request_message(described())),
    "approval-pending": lambda: _approval(described(lacking=LACKING), approval_facts()),
    "approval-pending-two-people": lambda: _approval(
        replace(described(ALLOCATION.model_copy(update={"also": (8,)})), people=NAMES),
        ApprovalFacts(
            DECIDED_AT, each=(("7", approval_facts().days or []), ("8", approval_facts().days or []))
        ),
    ),
    "approval-pending-days-problem": lambda: _approval(
        described(WHITELIST), ApprovalFacts(DECIDED_AT, days_problem="Wethod is down.")
    ),
    **{f"decided-{s.value}": (lambda s=s: _decided(s)) for s in (S.APPROVED, S.REJECTED, S.EXPIRED)},
    "decided-cancelled-by-someone-else": lambda: _decided(S.CANCELLED),
    "decided-rejected-without-reason": lambda: _decided(
        S.REJECTED, decided(S.REJECTED, decision_reason=None)
    ),
    "decided-approved-with-changes": lambda: _decided(S.APPROVED, _with_changes()),
    "decided-approved-at-once": lambda: _decided(S.APPROVED, decided(S.APPROVED, decided_by="U0REQUEST1")),
    "outcome-delivered": lambda: _outcome(DELIVERED, S.DELIVERED),
    "outcome-already-there": lambda: _outcome(ALREADY, S.DELIVERED),
    "outcome-refused": lambda: _outcome(REFUSED, S.FAILED),
    "outcome-refused-nothing-created": lambda: _outcome(
        REFUSED.model_copy(update={"upstream_ids": ()}), S.FAILED
    ),
    "outcome-needs-administrator": lambda: _outcome(NEEDS_OPERATOR, S.APPROVED, final=False),
    "outcome-needs-administrator-final": lambda: _outcome(NEEDS_OPERATOR, S.FAILED),
    "outcome-retry-later": lambda: _outcome(RETRY, S.APPROVED, final=False),
    "outcome-retry-later-final": lambda: _outcome(RETRY, S.FAILED),
    "outcome-two-people-one-refused": _two_people_refused,
    "operators": lambda: _of(
        delivered_as(NEEDS_OPERATOR, S.APPROVED),
        build_operator_message(delivered_as(NEEDS_OPERATOR, S.APPROVED), NEEDS_OPERATOR, upstream="Wethod"),
        more=_outcome_words(NEEDS_OPERATOR),
    ),
    "approver-reminders": _reminders,
    "approvers-added-escalated": lambda: _added("escalated", ["U0RM00001"], None),
    "approvers-added-delegated": lambda: _added(
        "delegated", ["U0RM00001", "U0RM00002"], {"U0PM00001": "U0RM00001"}
    ),
    "request-undo-pending": lambda: _approval(_undo(), approval_facts()),
    "request-undone": lambda: _of(
        _amended(AmendAction.UNDO, S.DELIVERED),
        build_request_message(_amended(AmendAction.UNDO, S.DELIVERED)),
        build_amended_reply(_amended(AmendAction.UNDO, S.DELIVERED)),
        more=("Deleted 3 allocations in Wethod.",),
    ),
    "request-changed": lambda: _of(
        _amended(AmendAction.CHANGE, S.DELIVERED),
        build_amended_reply(_amended(AmendAction.CHANGE, S.DELIVERED)),
        more=("Deleted 3 allocations in Wethod.",),
    ),
    "amendment-words": _amendment_words,
}
