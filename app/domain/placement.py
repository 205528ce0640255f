"""What a request placed upstream, and what makes a request an undo or a change of another."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class AmendAction(StrEnum):
    UNDO = "undo"
    CHANGE = "change"


class Placement(BaseModel):
    """One thing a request left in place upstream: its id, and for an allocation its day and hours."""

    model_config = ConfigDict(frozen=True)

    upstream_id: str
    day: date | None = None
    hours: int | None = None
    person_id: int | None = None  # whose allocation, when the request was for several people


class Amendment(BaseModel):
    """What makes a request an undo or a change of `of_request`: the action, and what the amended request
    had left in place upstream when it was asked (the only things the amendment may delete or change)."""

    model_config = ConfigDict(frozen=True)

    action: AmendAction
    of_request: str
    previous: tuple[Placement, ...]
    person_id: int | None = None  # whose allocations `previous` are, when they are allocations

    @property
    def previous_days(self) -> tuple[date, ...]:
        return tuple(sorted(p.day for p in self.previous if p.day is not None))
