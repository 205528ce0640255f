"""The link between a Slack user and their person in an upstream, found by e-mail."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.domain.upstreams import Upstream


class UserLink(BaseModel):
    model_config = ConfigDict(frozen=True)

    slack_user_id: str
    upstream: Upstream
    upstream_person_id: str
    email: str
    refreshed_at: datetime
