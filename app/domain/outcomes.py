"""What one delivery attempt of an approved request came to, in terms a user can understand."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.placement import Placement


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldFailure(BaseModel):
    """One field the upstream refused, with its message in plain words."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str
    person_id: int | None = None  # whose allocation it was about, when several people were asked for


class _Effects(_Outcome):
    """What an attempt left upstream: `placed` is what the request now holds there (an allocation per
    day), `removed` the ids an undo or a change deleted, `left` the ids it did not touch because they had
    changed upstream since, or were gone already."""

    placed: tuple[Placement, ...] = ()
    removed: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


class Delivered(_Effects):
    """The upstream created the resource (or deleted or changed it, for an undo or a change)."""

    outcome: Literal["delivered"] = "delivered"
    upstream_ids: tuple[str, ...]
    summary: str


class AlreadyDone(_Effects):
    """The upstream already had what was asked for (a whitelist 409, a lost answer found on retry)."""

    outcome: Literal["already_done"] = "already_done"
    upstream_ids: tuple[str, ...] = ()
    summary: str


class Refused(_Effects):
    """The upstream refused the request as it stands; it must be fixed and submitted again.

    `upstream_ids` lists what was created before the refusal (the first days of a multi-day allocation).
    """

    outcome: Literal["refused"] = "refused"
    failures: tuple[FieldFailure, ...]
    summary: str
    upstream_ids: tuple[str, ...] = ()
    done_people: tuple[int, ...] = ()  # of several people, those whose days were all created


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
