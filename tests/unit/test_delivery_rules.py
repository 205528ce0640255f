"""Backoff and routing rules of delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.outcomes import Delivered, NeedsOperator
from app.domain.requests import RequestKind, StaffingRequest, WhitelistPayload
from app.services.delivery import DeliveryPolicy, backoff_delay
from app.services.routing import ProvisionerByKind
from tests.factories import a_request
from tests.fakes import FakeProvisioner

POLICY = DeliveryPolicy(first_backoff=timedelta(seconds=30), max_backoff=timedelta(minutes=10))
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_backoff_doubles_each_attempt_up_to_the_cap() -> None:
    delays = [backoff_delay(n, None, POLICY).total_seconds() for n in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]


def test_backoff_never_undercuts_the_upstreams_retry_after() -> None:
    assert backoff_delay(1, 90, POLICY) == timedelta(seconds=90)
    assert backoff_delay(3, 5, POLICY) == timedelta(seconds=120)
    assert backoff_delay(1, 3600, POLICY) == timedelta(hours=1)


def _request(kind_payload: WhitelistPayload) -> StaffingRequest:
    return a_request(kind_payload, id="r1", requester_id="U0REQ")


async def test_a_kind_with_a_provisioner_is_sent_to_it() -> None:
    fake = FakeProvisioner()
    routing = ProvisionerByKind({RequestKind.WHITELIST: fake}, {})
    outcome = await routing.provision(_request(WhitelistPayload(project_id=1, person_id=2)), attempt=1)
    assert isinstance(outcome, Delivered)
    assert fake.calls == [("r1", 1)]


async def test_a_kind_whose_upstream_is_off_needs_an_operator_who_is_told_which_settings() -> None:
    routing = ProvisionerByKind({}, {RequestKind.WHITELIST: "WETHOD_TOKEN, WETHOD_COMPANY"})
    outcome = await routing.provision(_request(WhitelistPayload(project_id=1, person_id=2)), attempt=1)
    assert isinstance(outcome, NeedsOperator)
    assert outcome.setting == "WETHOD_TOKEN, WETHOD_COMPANY"
    assert "Timesheet whitelist" in outcome.reason
