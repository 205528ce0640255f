"""Procore REST API v1.0 client: reference users in project directories, and the lists to pick from."""

from app.clients.procore.client import ProcoreClient
from app.clients.procore.models import (
    CompanyUser,
    NewProjectPerson,
    Project,
    ProjectPerson,
    WorkClassification,
)

__all__ = [
    "CompanyUser",
    "NewProjectPerson",
    "ProcoreClient",
    "Project",
    "ProjectPerson",
    "WorkClassification",
]
