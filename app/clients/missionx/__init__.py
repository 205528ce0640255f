"""The MissionX Open API client: OAuth2 client credentials, project people, projects, org roles, people."""

from app.clients.missionx.client import MissionXAuth, MissionXClient
from app.clients.missionx.models import (
    NewProjectPerson,
    OrgPerson,
    OrgRole,
    Project,
    ProjectPerson,
)

__all__ = [
    "MissionXAuth",
    "MissionXClient",
    "NewProjectPerson",
    "OrgPerson",
    "OrgRole",
    "Project",
    "ProjectPerson",
]
