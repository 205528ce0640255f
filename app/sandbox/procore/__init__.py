"""The Procore simulator: the app in simulator.py, the data in state.py, request rules in http.py."""

from app.sandbox.procore.simulator import ProcoreSimulator, build_procore_simulator
from app.sandbox.procore.state import (
    PROCORE_SANDBOX_CLIENT_ID,
    PROCORE_SANDBOX_CLIENT_SECRET,
    PROCORE_SANDBOX_COMPANY_ID,
    ProcoreState,
)

__all__ = [
    "PROCORE_SANDBOX_CLIENT_ID",
    "PROCORE_SANDBOX_CLIENT_SECRET",
    "PROCORE_SANDBOX_COMPANY_ID",
    "ProcoreSimulator",
    "ProcoreState",
    "build_procore_simulator",
]
