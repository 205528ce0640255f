"""An approver away: who decides in their place, and on which days."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class Absence(BaseModel):
    model_config = ConfigDict(frozen=True)

    slack_user_id: str
    delegate_id: str
    starts: date
    ends: date

    def covers(self, day: date) -> bool:
        return self.starts <= day <= self.ends
