"""What one delivery attempt of an approved request came to, in terms a user can understand.

What an outcome says to a person is given as words said (`said(...)`): `summary` (or `reason`, or a
failure's `message`) keeps them in English, for logs and the command line, and `summary_words` keeps
them as `StoredSaid`, put in each reader's language when shown (`said_summary`). An outcome stored before
words were kept, or an upstream's own message, has its text alone, shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.domain.placement import Placement
from app.domain.words import Days, Joined, Said, SlackUser, Value, english, verbatim


class StoredSaid(BaseModel):
    """Words said to a person, as they are stored: a catalog msgid, its values, and for words that depend
    on a number its `plural` and `count`; `said()` gives them back to be shown in the reader's language."""

    model_config = ConfigDict(frozen=True)

    msgid: str
    params: dict[str, StoredValue] = {}
    plural: str | None = None
    count: int | None = None

    @classmethod
    def of(cls, value: Said) -> StoredSaid:
        """`value` in its stored form; it may hold text, numbers and words (said, or said in turn)."""
        params = {name: _stored(v) for name, v in value.params.items()}
        return cls(msgid=value.msgid, params=params, plural=value.plural, count=value.count)

    def said(self) -> Said:
        params = {name: _said(v) for name, v in self.params.items()}
        return Said(self.msgid, params, self.plural, self.count)

    def __str__(self) -> str:
        return english(self.said())


class StoredDays(BaseModel):
    """Days in words (`Days`) as they are stored."""

    model_config = ConfigDict(frozen=True)

    days: tuple[date, ...]
    year: int


class StoredJoined(BaseModel):
    """Several values read one after the other, `between` each: `Joined` as it is stored."""

    model_config = ConfigDict(frozen=True)

    parts: tuple[StoredValue, ...]
    between: StoredValue = ""


StoredValue = str | int | float | StoredSaid | StoredJoined | StoredDays


def _stored(value: Value) -> StoredValue:
    if isinstance(value, Said):
        return StoredSaid.of(value)
    if isinstance(value, Joined):
        return StoredJoined(parts=tuple(map(_stored, value.parts)), between=_stored(value.between))
    if isinstance(value, Days):
        return StoredDays(days=value.days, year=value.year)
    if isinstance(value, SlackUser):
        raise TypeError("a Slack user cannot be kept in an outcome's words")
    if isinstance(value, Decimal):
        return float(value)  # outcomes say counts and hours; no amount of money is kept in them
    return value


def _said(value: StoredValue) -> Value:
    if isinstance(value, StoredSaid):
        return value.said()
    if isinstance(value, StoredJoined):
        return Joined(tuple(map(_said, value.parts)), _said(value.between))
    if isinstance(value, StoredDays):
        return Days(value.days, value.year)
    return value


def _shown(text: str, words: StoredSaid | None) -> Said:
    """Words kept to be shown, or else `text` as it is."""
    return verbatim(text) if words is None else words.said()


def _said_as_text(data: object, *names: str) -> object:
    """`data` for a model, each of `names` given as words said turned into its English text and its
    `<name>_words`."""
    if not isinstance(data, dict):
        return data
    found = {name: data[name] for name in names if isinstance(data.get(name), Said)}
    return (
        data
        | {n: english(s) for n, s in found.items()}
        | {f"{n}_words": StoredSaid.of(s) for n, s in found.items()}
    )


def _kept() -> StoredSaid | None:
    return Field(default=None, exclude_if=lambda words: words is None)


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldFailure(BaseModel):
    """One field the upstream refused, with its message: the upstream's own words as it wrote them, or
    Staffdesk's words said (`message_words`)."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str
    person_id: int | None = None  # whose allocation it was about, when several people were asked for
    message_words: StoredSaid | None = _kept()

    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: object) -> object:
        return _said_as_text(data, "message")

    @property
    def said_message(self) -> Said:
        return _shown(self.message, self.message_words)


class _Summarised(_Outcome):
    """An outcome that says what came of the request: `summary`, given as words said or as text."""

    summary: str
    summary_words: StoredSaid | None = _kept()

    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: object) -> object:
        return _said_as_text(data, "summary")

    @property
    def said_summary(self) -> Said:
        return _shown(self.summary, self.summary_words)


class _Explained(_Outcome):
    """An outcome that says why the request waits: `reason`, given as words said or as text."""

    reason: str
    reason_words: StoredSaid | None = _kept()

    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: object) -> object:
        return _said_as_text(data, "reason")

    @property
    def said_reason(self) -> Said:
        return _shown(self.reason, self.reason_words)


class _Effects(_Summarised):
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


class AlreadyDone(_Effects):
    """The upstream already had what was asked for (a whitelist 409, a lost answer found on retry)."""

    outcome: Literal["already_done"] = "already_done"
    upstream_ids: tuple[str, ...] = ()


class Refused(_Effects):
    """The upstream refused the request as it stands; it must be fixed and submitted again.

    `upstream_ids` lists what was created before the refusal (the first days of a multi-day allocation).
    """

    outcome: Literal["refused"] = "refused"
    failures: tuple[FieldFailure, ...]
    upstream_ids: tuple[str, ...] = ()
    done_people: tuple[int, ...] = ()  # of several people, those whose days were all created


class RetryLater(_Explained):
    """The upstream could not take it now (rate limit, outage, time-out); try again."""

    outcome: Literal["retry_later"] = "retry_later"
    retry_after_seconds: float | None = None


class NeedsOperator(_Explained):
    """Credentials, permissions or configuration are wrong; an operator must act, then it is retried."""

    outcome: Literal["needs_operator"] = "needs_operator"
    setting: str | None = None


DeliveryOutcome = Annotated[
    Delivered | AlreadyDone | Refused | RetryLater | NeedsOperator,
    Field(discriminator="outcome"),
]


def summary_of(result: Mapping[str, object] | None) -> Said:
    """What a stored outcome (a request's `result`) says, to be shown; its text as it is when it kept no
    words, and nothing said when it says nothing."""
    stored = result or {}
    words = stored.get("summary_words")
    if isinstance(words, dict):
        return StoredSaid.model_validate(words).said()
    return verbatim(str(stored.get("summary") or ""))
