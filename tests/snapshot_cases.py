"""Fixed inputs for the snapshot tests: one request of each kind, in each state a person sees it in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.domain.outcomes import AlreadyDone, Delivered, DeliveryOutcome, FieldFailure, NeedsOperator, Refused
from app.domain.requests import (
    AllocationPayload,
    MissionXPermission,
    MissionXProjectPersonPayload,
    MissionXRateTime,
    ProcoreProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription, request_details
from tests.factories import REQUEST_TIME, a_request

DECIDED_AT = REQUEST_TIME + timedelta(hours=1)
DONE_AT = REQUEST_TIME + timedelta(hours=1, minutes=2)
DAYS = (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3))
ALLOCATION = AllocationPayload(person_id=7, project_id=42, dates=DAYS, hours=4)
WHITELIST = WhitelistPayload(project_id=42, person_id=7)
MISSIONX = MissionXProjectPersonPayload(
    project_id="a" * 24,
    email="ana.ricci@acme.example",
    permission=MissionXPermission.MANAGER,
    role_title="Site engineer",
    is_project_manager=True,
    rate=45,
    rate_time=MissionXRateTime.HOURLY,
)
PROCORE = ProcoreProjectPersonPayload(project_id=9, last_name="Rossi", first_name="Luca", job_title="Foreman")

DELIVERED = Delivered(upstream_ids=("901", "902", "903"), summary="Allocated 4 h a day for 3 days in Wethod.")
ALREADY = AlreadyDone(upstream_ids=("901",), summary="Allocated 4 h a day for 3 days in Wethod.")
REFUSED = Refused(
    failures=(FieldFailure(field="hours", message="The person is on leave on Wed 2 Dec."),),
    summary="Wethod refused the request.",
    upstream_ids=("901",),
)
NEEDS_OPERATOR = NeedsOperator(reason="Wethod does not accept Staffdesk's token.", setting="WETHOD_TOKEN")


def described(payload: RequestPayload = ALLOCATION, **fields: Any) -> RequestDescription:
    """`payload` as a stored request in words, on Harbor Tower (HT-1), asked by U0REQUEST1 of U0PM00001."""
    defaults: dict[str, Any] = {
        "status": RequestStatus.PENDING_APPROVAL,
        "channel_id": "C0CHANNEL1",
        "message_ts": "1700000000.000100",
        "approvers": ("U0PM00001",),
        "note": "Marta covers for Paolo while he is on leave.",
    }
    request = a_request(payload, **(defaults | fields))
    subject = {
        "missionx_project_person": "ana.ricci@acme.example",
        "procore_project_person": "Luca Rossi",
    }.get(payload.kind.value, "Marta Gallo")
    return RequestDescription(request, subject, "Harbor Tower (HT-1)", request_details(request))


def decided(status: RequestStatus, payload: RequestPayload = ALLOCATION, **fields: Any) -> RequestDescription:
    """A request decided by U0PM00001 an hour after it was asked."""
    reason = "Marta is needed on Apollo that week." if status is RequestStatus.REJECTED else None
    who = None if status is RequestStatus.EXPIRED else "U0PM00001"
    changes: dict[str, Any] = {"decided_by": who, "decided_at": DECIDED_AT, "decision_reason": reason}
    return described(payload, status=status, updated_at=DONE_AT, **(changes | fields))


def delivered_as(outcome: DeliveryOutcome, status: RequestStatus) -> RequestDescription:
    return decided(status, result=outcome.model_dump(mode="json"))
