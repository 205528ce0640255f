"""Small models carried in private_metadata and button values: never the whole request."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.domain.directory import Upstream
from app.domain.requests import RequestKind


class ModalContext(BaseModel):
    """Where a request modal was opened from, and what it is for."""

    model_config = ConfigDict(frozen=True)

    kind: RequestKind
    channel_id: str | None = None
    upstream: Upstream | None = None
    resubmit_of: str | None = None


class RequestRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: str


def dump(model: BaseModel) -> str:
    return model.model_dump_json(exclude_none=True)
