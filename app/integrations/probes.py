"""One cheap read per configured upstream, for `staffdesk check`."""

from __future__ import annotations

from app.clients.errors import UpstreamError
from app.clients.missionx.client import MissionXClient
from app.clients.procore.client import ProcoreClient
from app.clients.wethod.client import WethodClient


async def probe_wethod(client: WethodClient) -> tuple[bool, str]:
    try:
        me = await client.get_me()
    except UpstreamError as error:
        return False, f"Wethod: {error}"
    return True, f"Wethod: connected as {me.full_name} ({me.role or 'no role'})"


async def probe_missionx(client: MissionXClient) -> tuple[bool, str]:
    try:
        roles = await client.list_roles()
    except UpstreamError as error:
        return False, f"MissionX: {error}"
    return True, f"MissionX: connected; the organization has {len(roles)} roles"


async def probe_procore(client: ProcoreClient) -> tuple[bool, str]:
    try:
        classifications = await client.list_work_classifications()
    except UpstreamError as error:
        return False, f"Procore: {error}"
    return True, f"Procore: connected; the company has {len(classifications)} work classifications"
