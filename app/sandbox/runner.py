"""`staffdesk sandbox`: the three simulators on loopback, and the settings that point the bot at them."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass

from app.sandbox.core import Simulator, serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.missionx import build_missionx_simulator
from app.sandbox.procore import build_procore_simulator
from app.sandbox.wethod import build_wethod_simulator


@dataclass(frozen=True)
class SandboxPorts:
    wethod: int = 8101
    missionx: int = 8102
    procore: int = 8103


def build_simulators() -> list[Simulator]:
    company = demo_company()
    return [
        build_wethod_simulator(company),
        build_missionx_simulator(company),
        build_procore_simulator(company),
    ]


def settings_text(settings: dict[str, str]) -> str:
    return "\n".join(f"{name}={value}" for name, value in settings.items())


async def run_sandbox(host: str, ports: SandboxPorts, stop: asyncio.Event | None = None) -> dict[str, str]:
    """Serve every simulator until `stop` is set (or forever); print and return the settings."""
    simulators = build_simulators()
    wanted = [ports.wethod, ports.missionx, ports.procore]
    settings: dict[str, str] = {}
    async with AsyncExitStack() as stack:
        for simulator, port in zip(simulators, wanted, strict=True):
            url = await stack.enter_async_context(serve_in_background(simulator.app, host=host, port=port))
            settings |= simulator.settings_for(url)
        print("# Staffdesk sandbox: Wethod, MissionX and Procore simulators with a demo company.")
        print("# Put these lines in .env (or export them) and run 'staffdesk serve' in another terminal.")
        print(settings_text(settings), flush=True)
        await (stop or asyncio.Event()).wait()
    return settings
