"""Every view and message the app builds passes slack_sdk's Block Kit models and Slack's size limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block as SlackBlock
from slack_sdk.models.views import View

from app.domain.outcomes import AlreadyDone, Delivered, FieldFailure, NeedsOperator, Refused, RetryLater
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestKind,
    RequestPayload,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.services.queries import DayPreview, RequestDescription
from app.slack.blocks.common import SlackMessage
from app.slack.blocks.decisions import build_notice_view, build_reject_modal
from app.slack.blocks.home import build_home, build_my_requests, build_waiting_for_me
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.messages import (
    build_approval_message,
    build_decision_reply,
    build_outcome_reply,
    build_request_message,
)
from app.slack.blocks.modals import build_allocation_modal, build_whitelist_modal, preview_text
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.ids import Action
from app.slack.metadata import ModalContext
from tests.factories import a_request

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
LONG = "Ünïcødé " * 60
PAYLOADS: list[RequestPayload] = [
    AllocationPayload(
        person_id=1,
        project_id=2,
        dates=tuple(date(2026, 12, 1) + timedelta(days=i) for i in range(31)),
        hours=8,
    ),
    WhitelistPayload(project_id=2, person_id=1),
    MissionXProjectPersonPayload(
        project_id="a" * 24,
        email="x@y.example",
        permission="manager",
        is_project_manager=True,
        rate=12.5,
        rate_time="daily",
        role_title=LONG[:200],
    ),
    ProcoreProjectPersonPayload(
        project_id=3, last_name=LONG[:250], first_name="Yui", job_title="Foreman", employee_id="E1"
    ),
]


def request(payload: RequestPayload, status: RequestStatus, **changes: Any) -> StaffingRequest:
    decided = status is not RequestStatus.PENDING_APPROVAL
    return a_request(
        payload,
        id="5f0e4a1e-0000-4000-8000-000000000001",
        status=status,
        requester_id="U0REQ",
        channel_id="C0X",
        message_ts="1.2",
        approvers=("U0A", "U0B"),
        created_at=NOW,
        updated_at=NOW,
        decided_by="U0A" if decided else None,
        decided_at=NOW if decided else None,
        decision_reason=LONG if status is RequestStatus.REJECTED else None,
        next_attempt_at=NOW,
        **changes,
    )


def description(payload: RequestPayload, status: RequestStatus) -> RequestDescription:
    return RequestDescription(request(payload, status), subject=LONG, project=LONG, details=LONG)


def check_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    assert 0 < len(blocks) <= limit
    for parsed, raw in zip(SlackBlock.parse_all(blocks), blocks, strict=True):
        assert parsed is not None, raw
        parsed.validate_json()


def check_message(message: SlackMessage) -> None:
    assert message.text
    check_blocks(message.blocks, 50)
    assert len(json.dumps(message.blocks)) < 13_000 * 2  # JSON escaping doubles some characters
    assert sum(len(json.dumps(b.get("text", ""))) for b in message.blocks) < 13_000


def check_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    check_blocks(view["blocks"], 100)
    assert len(view.get("private_metadata", "")) <= 3000
    assert len(json.dumps(view)) < 250_000


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.kind.value)
@pytest.mark.parametrize("status", list(RequestStatus))
def test_request_and_approval_messages_are_valid_in_every_state(
    payload: RequestPayload, status: RequestStatus
) -> None:
    desc = description(payload, status)
    check_message(build_request_message(desc))
    check_message(build_approval_message(desc))
    check_message(build_decision_reply(desc))


OUTCOMES = [
    Delivered(upstream_ids=tuple(str(i) for i in range(31)), summary=LONG),
    AlreadyDone(summary=LONG),
    Refused(
        failures=tuple(FieldFailure(field=f"f{i}", message=LONG) for i in range(20)),
        summary=LONG,
        upstream_ids=("1",),
    ),
    RetryLater(reason=LONG, retry_after_seconds=60),
    NeedsOperator(reason=LONG, setting="WETHOD_TOKEN"),
]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: o.outcome)
@pytest.mark.parametrize("status", [RequestStatus.DELIVERED, RequestStatus.APPROVED, RequestStatus.FAILED])
def test_every_upstream_answer_in_the_thread_is_valid(outcome: Any, status: RequestStatus) -> None:
    desc = description(PAYLOADS[0], status)
    check_message(build_outcome_reply(desc, outcome, upstream="Wethod", next_attempt_at=NOW))


def test_a_refusal_in_the_thread_offers_fix_and_resubmit() -> None:
    message = build_outcome_reply(
        description(PAYLOADS[0], RequestStatus.FAILED), OUTCOMES[2], upstream="Wethod", next_attempt_at=None
    )
    assert message.blocks[-1]["elements"][0]["action_id"] == Action.RESUBMIT


FULL_DRAFT = Draft(
    user_id="U0X",
    project=Choice("1000", LONG),
    start=date(2026, 12, 1),
    end=date(2026, 12, 31),
    hours="8",
    texts={Action.EMAIL: "a@b.example", Action.RATE: "10", Action.LAST_NAME: LONG[:200]},
    choices={Action.PERMISSION: Choice("admin", "Admin"), Action.RATE_TIME: Choice("yearly", "yearly")},
    manager=True,
)
PREVIEW = [DayPreview(date(2026, 12, 1) + timedelta(days=i), already=6, adding=4) for i in range(31)]


@pytest.mark.parametrize("draft", [Draft(), FULL_DRAFT], ids=["empty", "full"])
def test_every_modal_is_valid_empty_and_full(draft: Draft) -> None:
    meta = ModalContext(kind=RequestKind.ALLOCATION, channel_id="C0X", resubmit_of="r" * 36)
    check_view(build_allocation_modal(draft, meta, preview_text(PREVIEW)))
    check_view(build_whitelist_modal(draft, meta))
    for upstream in (Upstream.MISSIONX, Upstream.PROCORE):
        person_meta = ModalContext(kind=RequestKind.PROCORE_PROJECT_PERSON, upstream=upstream)
        check_view(build_project_person_modal(draft, person_meta, [Upstream.MISSIONX, Upstream.PROCORE]))
        check_view(build_project_person_modal(draft, person_meta, [upstream]))
    pending = request(PAYLOADS[3], RequestStatus.PENDING_APPROVAL)
    check_view(build_reject_modal(RequestDescription(pending, LONG * 10, LONG * 10, LONG * 10)))
    check_view(build_notice_view("A title longer than Slack allows", LONG))


def test_the_preview_flags_days_over_eight_hours() -> None:
    text = preview_text([DayPreview(date(2026, 12, 1), 6, 4), DayPreview(date(2026, 12, 2), 0, 4)])
    assert "Tue 1 Dec: 6 h already + 4 h :warning: *10 h, over 8*" in text
    assert "Wed 2 Dec: 0 h already + 4 h → 4 h" in text


def test_app_home_and_lists_stay_within_limits_however_many_requests() -> None:
    many = [description(PAYLOADS[i % 4], RequestStatus.PENDING_APPROVAL) for i in range(60)]
    home = build_home(many, many)
    View(**home).validate_json()
    check_blocks(home["blocks"], 100)
    check_blocks(build_my_requests(many), 50)
    check_blocks(build_waiting_for_me(many), 50)
