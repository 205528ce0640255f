"""The local directory of upstream people and projects, and the text normalisation its search uses."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from app.domain.upstreams import Upstream

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Lower case, accents dropped, anything but letters and digits turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NOT_WORD.sub(" ", bare).strip()


def search_words(*parts: str | None) -> str:
    """The indexed text of an entry: its normalised words, each preceded by a space for prefix matching."""
    words = " ".join(normalize(p) for p in parts if p)
    return f" {words} " if words else " "


def query_words(query: str) -> list[str]:
    """The words a search must find, each as the start of some word of the entry."""
    return normalize(query).split()[:8]


class DirectoryPerson(BaseModel):
    model_config = ConfigDict(frozen=True)

    upstream: Upstream
    upstream_id: str
    name: str
    email: str | None = None
    role: str | None = None
    archived: bool = False
    updated_at: datetime | None = None

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return value.strip().lower() or None if value else None


class DirectoryProject(BaseModel):
    model_config = ConfigDict(frozen=True)

    upstream: Upstream
    upstream_id: str
    name: str
    job_order: str | None = None
    pm_id: str | None = None
    account_id: str | None = None
    manager_ids: tuple[str, ...] = ()
    archived: bool = False
    whitelist_enabled: bool | None = None
    updated_at: datetime | None = None

    @property
    def label(self) -> str:
        return project_label(self.name, self.job_order)


def project_label(name: str, job_order: str | None) -> str:
    """A project's name with its job order said once: "Harbor Tower (HT-1)"; "HT-1 - Harbor Tower" as is."""
    if not job_order or job_order.casefold() in name.casefold():
        return name
    return f"{name} ({job_order})"


class SyncState(BaseModel):
    """How far the directory of one upstream has been refreshed."""

    model_config = ConfigDict(frozen=True)

    upstream: Upstream
    last_full_at: datetime | None = None
    last_run_at: datetime | None = None
    people_cursor: datetime | None = None
    projects_cursor: datetime | None = None
    last_error: str | None = None
