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
from app.domain.words import Value, said


def _failures(error: InvalidData, context: Value | None) -> tuple[FieldFailure, ...]:
    """The fields the upstream refused, each with its message as the upstream wrote it, after `context`
    (where it happened) when there is one: a day as text, or Staffdesk's words."""

    def failure(field: str, message: str) -> FieldFailure:
        if context is None:
            return FieldFailure(field=field, message=message)
        if isinstance(context, str):
            return FieldFailure(field=field, message=f"{context}: {message}")
        return FieldFailure(
            field=field, message=said("{context}: {message}", context=context, message=message)
        )

    found = tuple(failure(f.field or "request", f.message) for f in error.failures)
    return found or (failure("request", error.message),)


def outcome_for_error(
    error: UpstreamError,
    upstream: Upstream,
    *,
    done: Sequence[str] = (),
    context: Value | None = None,
) -> DeliveryOutcome:
    """What an error from `upstream` means for the request; `done` is what was created before it."""
    name, info = upstream.label, upstream.info
    credentials, tenant = ", ".join(info.credentials), ", ".join(info.tenant)
    if isinstance(error, InvalidData):
        summary = said("{upstream} refused the request.", upstream=name)
        return Refused(failures=_failures(error, context), summary=summary, upstream_ids=tuple(done))
    if isinstance(error, NotFound):
        missing = said("{upstream} has no such project, or it is not visible to Staffdesk.", upstream=name)
        failure = FieldFailure(field="project", message=missing)
        summary = said("{upstream} could not find it.", upstream=name)
        return Refused(failures=(failure,), summary=summary, upstream_ids=tuple(done))
    if isinstance(error, Conflict):
        failure = FieldFailure(field="request", message=error.message)
        summary = said("{upstream} reports a conflict.", upstream=name)
        return Refused(failures=(failure,), summary=summary, upstream_ids=tuple(done))
    if isinstance(error, Unauthorized | Forbidden | PreconditionFailed):
        return _needs_operator(error, name, credentials, tenant)
    return _retry_later(error, name)


def _needs_operator(error: UpstreamError, name: str, credentials: str, tenant: str) -> NeedsOperator:
    if isinstance(error, Unauthorized):
        reason = said("{upstream} refused Staffdesk's credentials.", upstream=name)
        return NeedsOperator(reason=reason, setting=credentials)
    if isinstance(error, Forbidden):
        reason = said("The {upstream} account Staffdesk uses is not allowed to do this.", upstream=name)
        return NeedsOperator(reason=reason, setting=credentials)
    reason = said("{upstream} refused the company or API version Staffdesk sent.", upstream=name)
    return NeedsOperator(reason=reason, setting=tenant)


def _retry_later(error: UpstreamError, name: str) -> RetryLater:
    if isinstance(error, RateLimited):
        reason = said("{upstream} asked Staffdesk to slow down.", upstream=name)
        return RetryLater(reason=reason, retry_after_seconds=error.retry_after)
    if isinstance(error, ServerError):
        reason = said(
            "{upstream} is having trouble (it answered {status}).", upstream=name, status=str(error.status)
        )
        return RetryLater(reason=reason, retry_after_seconds=error.retry_after)
    if isinstance(error, ConnectionFailed | AnswerLost):
        return RetryLater(reason=said("{upstream} could not be reached.", upstream=name))
    if error.status is None:
        return RetryLater(reason=said("{upstream} gave an unexpected answer.", upstream=name))
    reason = said("{upstream} gave an unexpected answer ({status}).", upstream=name, status=str(error.status))
    return RetryLater(reason=reason)


def unavailable(error: UpstreamError, upstream: Upstream) -> UpstreamUnavailable:
    """A read failure as the services see it."""
    if isinstance(error, ConnectionFailed | AnswerLost):
        reason = said("it could not be reached")
    elif error.status is None:
        reason = said("it gave an unexpected answer")
    else:
        reason = said("answered {status}: {message}", status=str(error.status), message=error.message)
    return UpstreamUnavailable(upstream.label, reason, log=f"{upstream.label} could not be read: {error}")
