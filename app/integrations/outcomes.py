"""Client errors turned into delivery outcomes, in one place, in plain words."""

from __future__ import annotations

from collections.abc import Sequence

from app.clients.errors import (
    AnswerLost,
    Conflict,
    ConnectionFailed,
    Forbidden,
    InvalidData,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.domain.errors import UpstreamUnavailable
from app.domain.outcomes import DeliveryOutcome, FieldFailure, NeedsOperator, Refused, RetryLater
from app.domain.upstreams import Upstream


def _failures(error: InvalidData, context: str | None) -> tuple[FieldFailure, ...]:
    prefix = f"{context}: " if context else ""
    found = tuple(
        FieldFailure(field=f.field or "request", message=prefix + f.message) for f in error.failures
    )
    return found or (FieldFailure(field="request", message=prefix + error.message),)


def outcome_for_error(
    error: UpstreamError,
    upstream: Upstream,
    *,
    done: Sequence[str] = (),
    context: str | None = None,
) -> DeliveryOutcome:
    """What an error from `upstream` means for the request; `done` is what was created before it."""
    name, info = upstream.label, upstream.info
    credentials, tenant = ", ".join(info.credentials), ", ".join(info.tenant)
    if isinstance(error, InvalidData):
        return Refused(
            failures=_failures(error, context),
            summary=f"{name} refused the request.",
            upstream_ids=tuple(done),
        )
    if isinstance(error, NotFound):
        failure = FieldFailure(
            field="project", message=f"{name} has no such project, or it is not visible to Staffdesk."
        )
        return Refused(failures=(failure,), summary=f"{name} could not find it.", upstream_ids=tuple(done))
    if isinstance(error, Conflict):
        failure = FieldFailure(field="request", message=error.message)
        return Refused(failures=(failure,), summary=f"{name} reports a conflict.", upstream_ids=tuple(done))
    if isinstance(error, Unauthorized):
        return NeedsOperator(reason=f"{name} refused Staffdesk's credentials.", setting=credentials)
    if isinstance(error, Forbidden):
        return NeedsOperator(
            reason=f"The {name} account Staffdesk uses is not allowed to do this.",
            setting=credentials,
        )
    if isinstance(error, PreconditionFailed):
        return NeedsOperator(
            reason=f"{name} refused the company or API version Staffdesk sent.", setting=tenant
        )
    if isinstance(error, RateLimited):
        return RetryLater(
            reason=f"{name} asked Staffdesk to slow down.", retry_after_seconds=error.retry_after
        )
    if isinstance(error, ServerError):
        return RetryLater(
            reason=f"{name} is having trouble (it answered {error.status}).",
            retry_after_seconds=error.retry_after,
        )
    if isinstance(error, ConnectionFailed | AnswerLost):
        return RetryLater(reason=f"{name} could not be reached.")
    return RetryLater(reason=f"{name} gave an unexpected answer ({error.status or 'none'}).")


def unavailable(error: UpstreamError, upstream: Upstream) -> UpstreamUnavailable:
    """A read failure as the services see it."""
    return UpstreamUnavailable(
        upstream.label, error.message if error.status is None else f"answered {error.status}: {error.message}"
    )
