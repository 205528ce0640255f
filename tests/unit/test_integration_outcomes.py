"""Client errors become outcomes a user (or an operator) can act on."""

from __future__ import annotations

import pytest

from app.clients.errors import (
    AnswerLost,
    Conflict,
    ConnectionFailed,
    FieldError,
    Forbidden,
    InvalidData,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.domain.outcomes import FieldFailure, NeedsOperator, Refused, RetryLater
from app.domain.upstreams import Upstream
from app.i18n import reading_as, render
from app.integrations.outcomes import outcome_for_error, unavailable


def test_field_failures_are_kept_field_by_field_with_what_was_already_done() -> None:
    error = InvalidData(
        "Wethod", "invalid", [FieldError("hours", "must be at most 8"), FieldError("date", "is not a date")]
    )
    outcome = outcome_for_error(error, Upstream.WETHOD, done=["11", "12"], context="2026-12-03")
    assert isinstance(outcome, Refused)
    assert outcome.failures == (
        FieldFailure(field="hours", message="2026-12-03: must be at most 8"),
        FieldFailure(field="date", message="2026-12-03: is not a date"),
    )
    assert outcome.upstream_ids == ("11", "12")


def test_a_refusal_without_field_detail_still_says_what_the_upstream_said() -> None:
    outcome = outcome_for_error(InvalidData("Procore", "person is invalid", []), Upstream.PROCORE)
    assert isinstance(outcome, Refused)
    assert outcome.failures == (FieldFailure(field="request", message="person is invalid"),)


@pytest.mark.parametrize(
    ("error", "setting"),
    [
        (Unauthorized("Wethod", "bad token", status=401), "WETHOD_TOKEN"),
        (Forbidden("Wethod", "no permission", status=403), "WETHOD_TOKEN"),
        (PreconditionFailed("Wethod", "missing header", status=412), "WETHOD_COMPANY, WETHOD_VERSION"),
    ],
)
def test_credential_and_header_problems_name_the_setting_to_check(error: UpstreamError, setting: str) -> None:
    outcome = outcome_for_error(error, Upstream.WETHOD)
    assert isinstance(outcome, NeedsOperator)
    assert outcome.setting == setting
    assert "Wethod" in outcome.reason


@pytest.mark.parametrize(
    ("error", "retry_after"),
    [
        (RateLimited("Wethod", "slow down", retry_after=42), 42),
        (ServerError("Wethod", "unavailable", status=503, retry_after=5), 5),
        (ServerError("Wethod", "bad gateway", status=502), None),
        (ConnectionFailed("Wethod", "refused"), None),
        (AnswerLost("Wethod", "read time-out"), None),
        (UpstreamError("Wethod", "teapot", status=418), None),
    ],
)
def test_passing_trouble_is_retried_later_with_the_upstreams_wait(
    error: UpstreamError, retry_after: float | None
) -> None:
    outcome = outcome_for_error(error, Upstream.WETHOD)
    assert isinstance(outcome, RetryLater)
    assert outcome.retry_after_seconds == retry_after


@pytest.mark.parametrize(
    "error", [NotFound("Wethod", "no such project", status=404), Conflict("Wethod", "dup", status=409)]
)
def test_a_missing_project_or_a_conflict_is_refused(error: UpstreamError) -> None:
    assert isinstance(outcome_for_error(error, Upstream.WETHOD), Refused)


def test_a_read_failure_becomes_a_plain_unavailable_error() -> None:
    problem = unavailable(ServerError("Wethod", "down for maintenance", status=503), Upstream.WETHOD)
    assert problem.upstream == "Wethod"
    assert str(problem.reason) == "answered 503: down for maintenance"
    with reading_as("it"):
        assert render(problem.words[0]) == (
            "Non è stato possibile leggere Wethod: ha risposto 503: down for maintenance"
        )
