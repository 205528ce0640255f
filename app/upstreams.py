"""How each upstream is built (client, provisioners, directory source, probe), keyed like the registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

import httpx

from app.clients.http import timeout_waiting
from app.clients.missionx.client import MissionXClient
from app.clients.procore.client import ProcoreClient
from app.clients.wethod.client import WethodClient
from app.domain.requests import RequestKind
from app.domain.upstreams import UPSTREAM_OF_KIND, Upstream
from app.integrations.missionx import MissionXDirectorySource, MissionXPersonProvisioner, probe_missionx
from app.integrations.procore import ProcoreDirectorySource, ProcorePersonProvisioner, probe_procore
from app.integrations.wethod import (
    WethodAllocationProvisioner,
    WethodAllocationReader,
    WethodDirectorySource,
    WethodWhitelistProvisioner,
    probe_wethod,
)
from app.services.ports import AllocationReader, DirectorySource, Provisioner
from app.services.routing import ProvisionerByKind
from app.settings import Settings

Client = TypeVar("Client")


class UpstreamClient(Protocol):
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class UpstreamParts:
    """What one enabled upstream brings; `urls` are shown, masked, when its probe fails."""

    client: UpstreamClient
    provisioners: Mapping[RequestKind, Provisioner]
    source: DirectorySource
    probe: Callable[[], Awaitable[tuple[bool, str]]]
    urls: tuple[str, ...]
    allocation_reader: AllocationReader | None = None


def _wethod(settings: Settings, timeout: httpx.Timeout) -> UpstreamParts:
    assert settings.wethod_token is not None, "built only once enabled"
    assert settings.wethod_company is not None
    client = WethodClient(
        settings.wethod_base_url,
        settings.wethod_token.get_secret_value(),
        settings.wethod_company,
        settings.wethod_version,
        timeout=timeout,
    )
    return UpstreamParts(
        client,
        {
            RequestKind.ALLOCATION: WethodAllocationProvisioner(client),
            RequestKind.WHITELIST: WethodWhitelistProvisioner(client),
        },
        WethodDirectorySource(client),
        partial(probe_wethod, client),
        (settings.wethod_base_url,),
        WethodAllocationReader(client),
    )


def _missionx(settings: Settings, timeout: httpx.Timeout) -> UpstreamParts:
    secret, org = settings.missionx_client_secret, settings.missionx_org_id
    assert settings.missionx_client_id is not None, "built only once enabled"
    assert secret is not None
    assert org is not None
    client = MissionXClient(
        settings.missionx_base_url,
        settings.missionx_token_url,
        settings.missionx_client_id,
        secret.get_secret_value(),
        org,
        timeout=timeout,
    )
    return UpstreamParts(
        client,
        {RequestKind.MISSIONX_PROJECT_PERSON: MissionXPersonProvisioner(client)},
        MissionXDirectorySource(client),
        partial(probe_missionx, client),
        (settings.missionx_base_url, settings.missionx_token_url),
    )


def _procore(settings: Settings, timeout: httpx.Timeout) -> UpstreamParts:
    secret, company = settings.procore_client_secret, settings.procore_company_id
    assert settings.procore_client_id is not None, "built only once enabled"
    assert secret is not None
    assert company is not None
    client = ProcoreClient(
        settings.procore_base_url,
        settings.procore_token_url,
        settings.procore_client_id,
        secret.get_secret_value(),
        company,
        timeout=timeout,
    )
    return UpstreamParts(
        client,
        {RequestKind.PROCORE_PROJECT_PERSON: ProcorePersonProvisioner(client)},
        ProcoreDirectorySource(client),
        partial(probe_procore, client),
        (settings.procore_base_url, settings.procore_token_url),
    )


BUILDERS: dict[Upstream, Callable[[Settings, httpx.Timeout], UpstreamParts]] = {
    Upstream.WETHOD: _wethod,
    Upstream.MISSIONX: _missionx,
    Upstream.PROCORE: _procore,
}


@dataclass
class EnabledUpstreams:
    """The upstreams whose credentials are configured, each built once."""

    settings: Settings
    parts: dict[Upstream, UpstreamParts] = field(default_factory=dict)

    def provisioner(self) -> Provisioner:
        """The provisioner per request kind; kinds whose upstream is off report the missing settings."""
        provisioners = {kind: p for parts in self.parts.values() for kind, p in parts.provisioners.items()}
        missing = {kind: ", ".join(self.settings.missing_for(up)) for kind, up in UPSTREAM_OF_KIND.items()}
        return ProvisionerByKind(provisioners, missing)

    def sources(self) -> list[DirectorySource]:
        return [parts.source for parts in self.parts.values()]

    def allocation_reader(self) -> AllocationReader | None:
        return next((p.allocation_reader for p in self.parts.values() if p.allocation_reader), None)

    def client_of(self, upstream: Upstream, kind: type[Client]) -> Client:
        """The client of an enabled upstream, as its own type."""
        client = self.parts[upstream].client
        assert isinstance(client, kind), f"{upstream.label}'s client is a {type(client).__name__}"
        return client

    async def aclose(self) -> None:
        for parts in self.parts.values():
            await parts.client.aclose()


def build_upstreams(settings: Settings) -> EnabledUpstreams:
    timeout = timeout_waiting(settings.staffdesk_upstream_timeout)
    enabled = EnabledUpstreams(settings)
    for upstream in settings.enabled_upstreams():
        enabled.parts[upstream] = BUILDERS[upstream](settings, timeout)
    return enabled
