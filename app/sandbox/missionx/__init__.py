"""The MissionX simulator: the app in simulator.py, the data in state.py."""

from app.sandbox.missionx.simulator import MissionXSimulator, build_missionx_simulator
from app.sandbox.missionx.state import (
    MISSIONX_SANDBOX_CLIENT_ID,
    MISSIONX_SANDBOX_CLIENT_SECRET,
    MISSIONX_SANDBOX_ORG_ID,
    MissionXState,
)

__all__ = [
    "MISSIONX_SANDBOX_CLIENT_ID",
    "MISSIONX_SANDBOX_CLIENT_SECRET",
    "MISSIONX_SANDBOX_ORG_ID",
    "MissionXSimulator",
    "MissionXState",
    "build_missionx_simulator",
]
