"""What one delivery attempt of an approved request came to, in terms a user can understand."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldFailure(BaseModel):
    """One field the upstream refused, with its message in plain words."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str


class Delivered(_Outcome):
    """The upstream created the resource."""

    outcome: Literal["delivered"] = "delivered"
    upstream_ids: tuple[str, ...]
    summary: str


class AlreadyDone(_Outcome):
    """The upstream already had what was asked for (a whitelist 409, a lost answer found on retry)."""

    outcome: Literal["already_done"] = "already_done"
    upstream_ids: tuple[str, ...] = ()
    summary: str


class Refused(_Outcome):
    """The upstream refused the request as it stands; it must be fixed and submitted again.

    `upstream_ids` lists what was created before the refusal (the first days of a multi-day allocation).
    """

    outcome: Literal["refused"] = "refused"
    failures: tuple[FieldFailure, ...]
    summary: str
    upstream_ids: tuple[str, ...] = ()


class RetryLater(_Outcome):
    """The upstream could not take it now (rate limit, outage, time-out); try again."""

    outcome: Literal["retry_later"] = "retry_later"
    reason: str
    retry_after_seconds: float | None = None


class NeedsOperator(_Outcome):
    """Credentials, permissions or configuration are wrong; an operator must act, then it is retried."""

    outcome: Literal["needs_operator"] = "needs_operator"
    reason: str
    setting: str | None = None


DeliveryOutcome = Annotated[
    Delivered | AlreadyDone | Refused | RetryLater | NeedsOperator,
    Field(discriminator="outcome"),
]
