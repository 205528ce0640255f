"""The Wethod simulator: the app in simulator.py, the data in state.py, request rules in http.py."""

from app.sandbox.wethod.simulator import (
    WETHOD_SANDBOX_COMPANY,
    WETHOD_SANDBOX_TOKEN,
    WETHOD_SANDBOX_VERSION,
    WethodSimulator,
    build_wethod_simulator,
)
from app.sandbox.wethod.state import WethodState

__all__ = [
    "WETHOD_SANDBOX_COMPANY",
    "WETHOD_SANDBOX_TOKEN",
    "WETHOD_SANDBOX_VERSION",
    "WethodSimulator",
    "WethodState",
    "build_wethod_simulator",
]
