"""The upstreams Staffdesk delivers to: each one's name, request kinds and the settings that enable it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.requests import RequestKind


class Upstream(StrEnum):
    WETHOD = "wethod"
    MISSIONX = "missionx"
    PROCORE = "procore"

    @property
    def label(self) -> str:
        return UPSTREAMS[self].label

    @property
    def info(self) -> UpstreamInfo:
        return UPSTREAMS[self]


@dataclass(frozen=True)
class UpstreamInfo:
    """What the rest of Staffdesk knows of one upstream, without its client.

    `enabled_by` are the settings (field names) that together turn it on; `credentials` and `tenant` are the
    variables an operator checks when it refuses Staffdesk's credentials, or its company or organisation.
    `person_kind` is its project-person request kind, for upstreams people are added to with /add-person."""

    upstream: Upstream
    label: str
    kinds: tuple[RequestKind, ...]
    enabled_by: tuple[str, ...]
    credentials: tuple[str, ...]
    tenant: tuple[str, ...]
    person_kind: RequestKind | None = None


UPSTREAMS: dict[Upstream, UpstreamInfo] = {
    Upstream.WETHOD: UpstreamInfo(
        Upstream.WETHOD,
        "Wethod",
        (RequestKind.ALLOCATION, RequestKind.WHITELIST),
        enabled_by=("wethod_token", "wethod_company"),
        credentials=("WETHOD_TOKEN",),
        tenant=("WETHOD_COMPANY", "WETHOD_VERSION"),
    ),
    Upstream.MISSIONX: UpstreamInfo(
        Upstream.MISSIONX,
        "MissionX",
        (RequestKind.MISSIONX_PROJECT_PERSON,),
        enabled_by=("missionx_client_id", "missionx_client_secret", "missionx_org_id"),
        credentials=("MISSIONX_CLIENT_ID", "MISSIONX_CLIENT_SECRET"),
        tenant=("MISSIONX_ORG_ID",),
        person_kind=RequestKind.MISSIONX_PROJECT_PERSON,
    ),
    Upstream.PROCORE: UpstreamInfo(
        Upstream.PROCORE,
        "Procore",
        (RequestKind.PROCORE_PROJECT_PERSON,),
        enabled_by=("procore_client_id", "procore_client_secret", "procore_company_id"),
        credentials=("PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET"),
        tenant=("PROCORE_COMPANY_ID",),
        person_kind=RequestKind.PROCORE_PROJECT_PERSON,
    ),
}

UPSTREAM_OF_KIND: dict[RequestKind, Upstream] = {
    kind: info.upstream for info in UPSTREAMS.values() for kind in info.kinds
}

PEOPLE_UPSTREAMS: tuple[Upstream, ...] = tuple(u for u, info in UPSTREAMS.items() if info.person_kind)


def person_kind(upstream: Upstream) -> RequestKind:
    """The project-person request kind of an upstream in PEOPLE_UPSTREAMS."""
    kind = UPSTREAMS[upstream].person_kind
    if kind is None:
        raise ValueError(f"people are not added to {upstream.label} projects")
    return kind
