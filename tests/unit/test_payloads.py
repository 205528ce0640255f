"""Each request kind's payload carries the upstream's own constraints."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    MissionXRateTime,
    NewRequest,
    ProcoreProjectPersonPayload,
    RequestKind,
    RequestPayload,
    WhitelistPayload,
)

ALLOCATION = {"person_id": 7, "project_id": 42, "dates": ["2026-12-01"], "hours": 4}
MISSIONX = {"project_id": "65f0c0ffee0123456789abcd", "email": "ana@example.com", "permission": "member"}
PROCORE = {"project_id": 12, "last_name": "Rossi"}


@pytest.mark.parametrize("hours", [1, 8])
def test_allocation_accepts_whole_hours_from_one_to_eight(hours: int) -> None:
    assert AllocationPayload.model_validate(ALLOCATION | {"hours": hours}).hours == hours


@pytest.mark.parametrize("hours", [0, 9, -1, 4.5, "4", True, None])
def test_allocation_refuses_hours_that_are_not_whole_numbers_in_range(hours: Any) -> None:
    with pytest.raises(ValidationError):
        AllocationPayload.model_validate(ALLOCATION | {"hours": hours})


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "tomorrow", ""])
def test_allocation_refuses_dates_that_are_not_real(day: str) -> None:
    with pytest.raises(ValidationError):
        AllocationPayload.model_validate(ALLOCATION | {"dates": [day]})


def test_allocation_days_are_sorted_and_the_earliest_is_known() -> None:
    payload = AllocationPayload.model_validate(ALLOCATION | {"dates": ["2026-12-03", "2026-12-01"]})
    assert payload.dates == (date(2026, 12, 1), date(2026, 12, 3))
    assert payload.earliest == date(2026, 12, 1)


@pytest.mark.parametrize("dates", [[], ["2026-12-01", "2026-12-01"]])
def test_allocation_needs_distinct_days(dates: list[str]) -> None:
    with pytest.raises(ValidationError):
        AllocationPayload.model_validate(ALLOCATION | {"dates": dates})


@pytest.mark.parametrize("field", ["person_id", "project_id"])
@pytest.mark.parametrize("value", [0, -3, "7"])
def test_ids_are_positive_integers(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        AllocationPayload.model_validate(ALLOCATION | {field: value})
    with pytest.raises(ValidationError):
        WhitelistPayload.model_validate({"project_id": 1, "person_id": 1} | {field: value})


def test_missionx_accepts_the_documented_enums() -> None:
    for rate_time in MissionXRateTime:
        payload = MissionXProjectPersonPayload.model_validate(
            MISSIONX | {"permission": "observer", "rate": 0, "rate_time": rate_time.value}
        )
        assert payload.rate_time is rate_time


@pytest.mark.parametrize(
    "change",
    [
        {"permission": "owner"},
        {"permission": "Member"},
        {"rate_time": "Hourly"},
        {"rate_time": "fortnightly"},
        {"rate": -0.01},
        {"rate": float("inf")},
        {"email": "not-an-address"},
        {"project_id": "123"},
        {"role": "director"},
    ],
)
def test_missionx_refuses_what_the_upstream_would_refuse(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MissionXProjectPersonPayload.model_validate(MISSIONX | change)


@pytest.mark.parametrize("missing", ["email", "permission"])
def test_missionx_requires_permission_and_email(missing: str) -> None:
    with pytest.raises(ValidationError):
        MissionXProjectPersonPayload.model_validate({k: v for k, v in MISSIONX.items() if k != missing})


@pytest.mark.parametrize("last_name", [None, "", "   "])
def test_procore_requires_a_last_name(last_name: str | None) -> None:
    data = dict(PROCORE)
    if last_name is None:
        data.pop("last_name")
    else:
        data["last_name"] = last_name
    with pytest.raises(ValidationError):
        ProcoreProjectPersonPayload.model_validate(data)


def test_procore_trims_names() -> None:
    assert (
        ProcoreProjectPersonPayload.model_validate(PROCORE | {"last_name": "  Rossi "}).last_name == "Rossi"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ALLOCATION | {"kind": "allocation"}, RequestKind.ALLOCATION),
        ({"kind": "whitelist", "project_id": 1, "person_id": 2}, RequestKind.WHITELIST),
        (MISSIONX | {"kind": "missionx_project_person"}, RequestKind.MISSIONX_PROJECT_PERSON),
        (PROCORE | {"kind": "procore_project_person"}, RequestKind.PROCORE_PROJECT_PERSON),
    ],
)
def test_every_payload_round_trips_through_json_by_its_kind(data: dict[str, Any], kind: RequestKind) -> None:
    adapter = TypeAdapter[RequestPayload](RequestPayload)
    payload = adapter.validate_python(data)
    assert payload.kind is kind
    assert adapter.validate_json(adapter.dump_json(payload)) == payload


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        WhitelistPayload.model_validate({"project_id": 1, "person_id": 2, "hours": 3})


def test_a_new_request_names_its_requester_as_a_slack_user() -> None:
    payload = WhitelistPayload(project_id=1, person_id=2)
    assert NewRequest(payload=payload, requester_id="U0ABC").kind is RequestKind.WHITELIST
    with pytest.raises(ValidationError):
        NewRequest(payload=payload, requester_id="someone")
