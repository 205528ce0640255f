"""The three simulators served on loopback, and Settings that point Staffdesk at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from app.sandbox.core import serve_in_background
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.missionx import MissionXSimulator, build_missionx_simulator
from app.sandbox.procore import ProcoreSimulator, build_procore_simulator
from app.sandbox.wethod import WethodSimulator, build_wethod_simulator
from app.settings import Settings


@dataclass
class Sandbox:
    company: DemoCompany
    wethod: WethodSimulator
    missionx: MissionXSimulator
    procore: ProcoreSimulator
    env: dict[str, str]

    def settings(self, **overrides: str) -> Settings:
        values = {k.lower(): v for k, v in (self.env | overrides).items()}
        return Settings.model_validate(values)


@asynccontextmanager
async def running_sandbox() -> AsyncIterator[Sandbox]:
    company = demo_company()
    wethod, missionx, procore = (
        build_wethod_simulator(company),
        build_missionx_simulator(company),
        build_procore_simulator(company),
    )
    env: dict[str, str] = {}
    async with AsyncExitStack() as stack:
        for simulator in (wethod, missionx, procore):
            url = await stack.enter_async_context(serve_in_background(simulator.app))
            env |= simulator.settings_for(url)
        yield Sandbox(company, wethod, missionx, procore, env)
