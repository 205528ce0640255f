"""Each message and modal kind, rendered to plain text and compared with its snapshot in tests/snapshots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.absences import Absence
from app.domain.amends import plan_change
from app.domain.outcomes import FieldFailure, Refused
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import RequestKind
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.services.queries import ApprovalFacts, DayPreview, RequestDescription
from app.services.summary import Booking, DailySummary, PersonDay, ProjectDay, Waiting
from app.services.team_week import PersonWeek, TeamWeek
from app.slack.blocks.amends import build_amended_reply, change_preview_text
from app.slack.blocks.common import SlackMessage
from app.slack.blocks.decisions import (
    build_approve_changes_modal,
    build_approve_note_modal,
    build_reject_modal,
)
from app.slack.blocks.echo import command_echo_text
from app.slack.blocks.home import build_home
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
)
from app.slack.blocks.modals import (
    build_allocation_modal,
    build_whitelist_modal,
    preview_text,
    whitelist_off_text,
)
from app.slack.blocks.nudges import build_added_message, build_reminder_dm
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.blocks.requester import (
    build_added_dm,
    build_decision_dm,
    build_operator_message,
    build_outcome_dm,
)
from app.slack.blocks.summary import build_summary_messages
from app.slack.ids import Action
from app.slack.metadata import ModalContext
from app.slack.text import Prefill
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
from tests.snapshot_text import UPDATE, check_snapshot, message_text, view_text

S = RequestStatus
HARBOR = Choice("42", "Harbor Tower (HT-1)")
RETRY_AT = DECIDED_AT + timedelta(minutes=5)


def _with_changes() -> RequestDescription:
    """Approved for the first and the last day only, at half the hours."""
    approved = ALLOCATION.model_copy(update={"dates": (DAYS[0], DAYS[-1]), "hours": ALLOCATION.hours // 2})
    return decided(S.APPROVED, approved, asked=ALLOCATION)


def _messages(*messages: SlackMessage | None) -> str:
    return "\n\n~~~\n\n".join(message_text(m) if m else "(nothing is sent)" for m in messages)


def _facts() -> ApprovalFacts:
    days = [DayPreview(DAYS[0], 6, 4), DayPreview(DAYS[1], 0, 4), DayPreview(DAYS[2], 2, 4)]
    return ApprovalFacts(expires_at=DECIDED_AT + timedelta(days=2), days=days)


def _pending_with_why() -> SlackMessage:
    desc = described(lacking=("planning.modify_other",))
    return build_approval_message(desc, _facts())


def _allocation_modal() -> str:
    prefill = Prefill(user_id="U0MARTA", start=DAYS[0], end=DAYS[-1], hours=4, unused=("asap",))
    meta = ModalContext(kind=RequestKind.ALLOCATION, echo=command_echo_text(prefill, HARBOR.label, year=2026))
    draft = Draft(user_id="U0MARTA", project=HARBOR, start=DAYS[0], end=DAYS[-1], hours="4")
    preview = preview_text(_facts().days, year=2026)
    return view_text(build_allocation_modal(draft, meta, preview))


def _whitelist_modal() -> str:
    draft = Draft(user_id="U0MARTA", project=HARBOR)
    warning = whitelist_off_text("Harbor Tower (HT-1)", "Marta Gallo")
    return view_text(build_whitelist_modal(draft, ModalContext(kind=RequestKind.WHITELIST), warning))


def _person_modal(upstream: Upstream) -> str:
    meta = ModalContext(kind=RequestKind.MISSIONX_PROJECT_PERSON, upstream=upstream)
    draft = Draft(
        project=Choice("a" * 24, "Harbor Tower (HT-1)"), texts={str(Action.EMAIL): "ana@acme.example"}
    )
    return view_text(build_project_person_modal(draft, meta, [Upstream.MISSIONX, Upstream.PROCORE]))


def _home() -> str:
    week = TeamWeek(
        days=tuple(date(2026, 11, 23) + timedelta(days=i) for i in range(5)),
        people=(PersonWeek("Marta Gallo", (8, 10, 4, 0, 8)), PersonWeek("Paolo Neri", (8, 8, 8, 8, 8))),
    )
    mine = [described(), decided(S.DELIVERED, WHITELIST)]
    waiting = [described(ALLOCATION, requester_id="U0OTHER01")]
    return view_text(build_home(mine, waiting, enabled=list(Upstream), week=week))


def _home_away_with_two_waiting() -> str:
    away = Absence(slack_user_id="U0PM00001", delegate_id="U0RM00001", starts=DAYS[0], ends=DAYS[-1])
    waiting = [
        described(ALLOCATION, requester_id="U0OTHER01"),
        described(WHITELIST, requester_id="U0OTHER02", id="r-whitelist"),
    ]
    return view_text(build_home([], waiting, enabled=[Upstream.WETHOD], away=away))


def _summary() -> str:
    summary = DailySummary(
        day=date(2026, 12, 1),
        projects=[ProjectDay("Harbor Tower", "HT-1", [Booking("Marta Gallo", 6), Booking("Paolo Neri", 4)])],
        people=[PersonDay("Marta Gallo", 10), PersonDay("Paolo Neri", 4)],
        idle=["Sara Conti"],
        finished=[decided(S.DELIVERED, WHITELIST), decided(S.REJECTED)],
        pending=[Waiting(described(), timedelta(hours=26))],
    )
    top, thread = build_summary_messages(summary)
    return _messages(top, *thread)


def _reply(outcome: object, status: RequestStatus) -> str:
    assert isinstance(outcome, type(DELIVERED) | type(ALREADY) | type(REFUSED) | type(NEEDS_OPERATOR))
    desc = delivered_as(outcome, status)
    return _messages(build_outcome_reply(desc, outcome, upstream="Wethod", next_attempt_at=RETRY_AT))


def _dm(outcome: object, status: RequestStatus, final: bool = True) -> str:
    assert isinstance(outcome, type(DELIVERED) | type(ALREADY) | type(REFUSED) | type(NEEDS_OPERATOR))
    desc = delivered_as(outcome, status)
    return _messages(build_outcome_dm(desc, outcome, upstream="Wethod", final=final, operators_told=True))


def _undo() -> RequestDescription:
    """Marta's delivered allocation, asked to be undone by U0OTHER01, waiting for the PM."""
    previous = tuple(Placement(upstream_id=f"90{i + 1}", day=d, hours=4) for i, d in enumerate(DAYS))
    amends = Amendment(action=AmendAction.UNDO, of_request="r-original", previous=previous, person_id=7)
    return described(requester_id="U0OTHER01", amends=amends, note=None, lacking=("planning.modify_other",))


def _undone() -> RequestDescription:
    """The original, once its undo is done."""
    undo = _undo().request.model_copy(
        update={
            "status": S.DELIVERED,
            "updated_at": DONE_AT,
            "result": {"summary": "Deleted 3 allocations in Wethod.", "removed": ["901", "902", "903"]},
        }
    )
    original = delivered_as(DELIVERED, S.DELIVERED)
    request = original.request.model_copy(update={"amended_by": undo.id})
    return replace(original, request=request, amended_by=undo)


def _change_modal() -> str:
    meta = ModalContext(kind=RequestKind.ALLOCATION, changes="r-original")
    draft = Draft(user_id="U0MARTA", project=HARBOR, start=DAYS[0], end=DAYS[1], hours="6")
    previous = tuple(Placement(upstream_id=f"90{i + 1}", day=d, hours=4) for i, d in enumerate(DAYS))
    amends = Amendment(action=AmendAction.CHANGE, of_request="r-original", previous=previous, person_id=7)
    after = ALLOCATION.model_copy(update={"dates": DAYS[:2], "hours": 6})
    preview = change_preview_text(plan_change(amends, after), after, 2026)
    return view_text(build_allocation_modal(draft, meta, preview))


def _one_of_two_refused() -> str:
    """Marta and Paolo asked for at once; Wethod refused Paolo's days."""
    payload = ALLOCATION.model_copy(update={"also": (8,)})
    failure = FieldFailure(field="hours", message="2026-12-01: The person is on leave.", person_id=8)
    refused = Refused(
        failures=(failure,),
        summary="Wethod refused 1 of the 2 people; the others are allocated.",
        upstream_ids=("901", "902", "903"),
        done_people=(7,),
    )
    desc = decided(S.FAILED, payload, result=refused.model_dump(mode="json"))
    desc = replace(desc, subject="Marta Gallo and Paolo Neri", people={"7": "Marta Gallo", "8": "Paolo Neri"})
    reply = build_outcome_reply(desc, refused, upstream="Wethod", next_attempt_at=None)
    dm = build_outcome_dm(desc, refused, upstream="Wethod", final=True, operators_told=True)
    return _messages(reply, dm)


KINDS: dict[str, Callable[[], str]] = {
    "reply-one-of-two-people-refused": _one_of_two_refused,
    "request-undo-pending": lambda: _messages(
        build_request_message(_undo()), build_approval_message(_undo(), _facts())
    ),
    "request-undone": lambda: _messages(build_request_message(_undone()), build_amended_reply(_undone())),
    "modal-change-allocation": _change_modal,
    "request-pending": lambda: _messages(build_request_message(described())),
    "request-approved": lambda: _messages(build_request_message(decided(S.APPROVED))),
    "request-delivered": lambda: _messages(build_request_message(delivered_as(DELIVERED, S.DELIVERED))),
    "request-already-there": lambda: _messages(build_request_message(delivered_as(ALREADY, S.DELIVERED))),
    "request-needs-administrator": lambda: _messages(
        build_request_message(delivered_as(NEEDS_OPERATOR, S.APPROVED))
    ),
    "request-refused": lambda: _messages(build_request_message(delivered_as(REFUSED, S.FAILED))),
    "request-rejected": lambda: _messages(build_request_message(decided(S.REJECTED))),
    "request-expired": lambda: _messages(build_request_message(decided(S.EXPIRED))),
    "approval-dm-pending": lambda: _messages(_pending_with_why()),
    "approval-dm-decided": lambda: _messages(build_approval_message(decided(S.APPROVED))),
    "request-approved-with-changes": lambda: _messages(build_request_message(_with_changes())),
    "requester-dm-approved-with-changes": lambda: _messages(build_decision_dm(_with_changes(), S.APPROVED)),
    "modal-approve-with-changes": lambda: view_text(build_approve_changes_modal(described(), ALLOCATION)),
    "reply-approved": lambda: _messages(build_decision_reply(decided(S.APPROVED))),
    "reply-rejected": lambda: _messages(build_decision_reply(decided(S.REJECTED))),
    "reply-cancelled": lambda: _messages(build_decision_reply(decided(S.CANCELLED, decided_by="U0REQUEST1"))),
    "reply-expired": lambda: _messages(build_decision_reply(decided(S.EXPIRED))),
    "reply-delivered": lambda: _reply(DELIVERED, S.DELIVERED),
    "reply-already-there": lambda: _reply(ALREADY, S.DELIVERED),
    "reply-refused": lambda: _reply(REFUSED, S.FAILED),
    "reply-needs-administrator": lambda: _reply(NEEDS_OPERATOR, S.APPROVED),
    "requester-dm-approved": lambda: _messages(build_decision_dm(decided(S.APPROVED), S.APPROVED)),
    "requester-dm-rejected": lambda: _messages(build_decision_dm(decided(S.REJECTED), S.REJECTED)),
    "requester-dm-expired": lambda: _messages(build_decision_dm(decided(S.EXPIRED), S.EXPIRED)),
    "requester-dm-delivered": lambda: _dm(DELIVERED, S.DELIVERED),
    "requester-dm-already-there": lambda: _dm(ALREADY, S.DELIVERED),
    "requester-dm-refused": lambda: _dm(REFUSED, S.FAILED),
    "requester-dm-needs-administrator": lambda: _dm(NEEDS_OPERATOR, S.APPROVED, final=False),
    "operators": lambda: _messages(
        build_operator_message(delivered_as(NEEDS_OPERATOR, S.APPROVED), NEEDS_OPERATOR, upstream="Wethod")
    ),
    "modal-allocation": _allocation_modal,
    "modal-whitelist": _whitelist_modal,
    "modal-missionx": lambda: _person_modal(Upstream.MISSIONX),
    "modal-procore": lambda: _person_modal(Upstream.PROCORE),
    "modal-reject": lambda: view_text(build_reject_modal(described())),
    "app-home": _home,
    "app-home-away-two-waiting": _home_away_with_two_waiting,
    "approver-reminder": lambda: _messages(
        build_reminder_dm(
            described(), "https://acme.slack.com/archives/D0PM00001/p1700000000000100", 4.0, DECIDED_AT
        ),
        build_reminder_dm(described(), None, 50.0, None),
    ),
    "approvers-added": lambda: _messages(
        build_added_message("escalated", ["U0RM00001"], None),
        build_added_message("delegated", ["U0RM00001", "U0RM00002"], {"U0PM00001": "U0RM00001"}),
    ),
    "requester-dm-approvers-added": lambda: _messages(
        build_added_dm(described(), "escalated", ["U0RM00001"], None)
    ),
    "modal-approve-with-a-note": lambda: view_text(build_approve_note_modal(described(WHITELIST))),
    "summary": _summary,
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_reads_as_its_snapshot(kind: str) -> None:
    check_snapshot(kind, KINDS[kind]())


def test_a_missing_or_changed_text_fails_and_says_how_to_accept_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    with pytest.raises(AssertionError, match=r"(?s)No snapshot kind\.txt yet.*STAFFDESK_UPDATE_SNAPSHOTS=1"):
        check_snapshot("kind", "first", tmp_path)
    (tmp_path / "kind.txt").write_text("first\n", encoding="utf-8")
    check_snapshot("kind", "first", tmp_path)
    with pytest.raises(AssertionError, match=r"(?s)-first\n\+second.*STAFFDESK_UPDATE_SNAPSHOTS=1"):
        check_snapshot("kind", "second", tmp_path)


def test_updating_writes_the_new_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE, "1")
    check_snapshot("kind", "new text", tmp_path)
    assert (tmp_path / "kind.txt").read_text(encoding="utf-8") == "new text\n"
