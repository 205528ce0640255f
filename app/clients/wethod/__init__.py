"""The Wethod client: people allocations, timesheet whitelists, persons and projects."""

from app.clients.wethod.client import BearerToken, WethodClient
from app.clients.wethod.models import Allocation, NewAllocation, Person, Project, WhitelistEntry

__all__ = [
    "Allocation",
    "BearerToken",
    "NewAllocation",
    "Person",
    "Project",
    "WethodClient",
    "WhitelistEntry",
]
