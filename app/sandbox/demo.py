"""A believable demo company shared by the three simulators: the same people (by e-mail) everywhere."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

DEMO_DOMAIN = "acme.example"

_FIRST = [
    "Ana",
    "Bruno",
    "Chiara",
    "Dario",
    "Elena",
    "Fabio",
    "Giulia",
    "Hugo",
    "Irene",
    "José",
    "Katia",
    "Luca",
    "Marta",
    "Niccolò",
    "Olga",
    "Paolo",
    "Queralt",
    "Renée",
    "Sofia",
    "Tomás",
    "Ugo",
    "Valeria",
    "Walter",
    "Xenia",
    "Yannick",
    "Zoë",
    "Alberto",
    "Bianca",
    "Carlo",
    "Dalia",
    "Emilio",
    "Francesca",
    "Gabriel",
    "Helena",
    "Ivo",
    "Jana",
]
_LAST = [
    "Rossi",
    "Bianchi",
    "Müller",
    "García",
    "Ferrari",
    "Esposito",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
]
_ROLES = ["Project Manager", "Resource Manager", "Consultant", "Developer", "Designer", "Account Manager"]
_JOB_TITLES = {
    "Project Manager": "Project Manager",
    "Resource Manager": "Resource Manager",
    "Consultant": "Senior Consultant",
    "Developer": "Software Engineer",
    "Designer": "Product Designer",
    "Account Manager": "Account Manager",
}
_PROJECT_WORDS = [
    "Apollo",
    "Borealis",
    "Cascade",
    "Delta",
    "Équinoxe",
    "Falcon",
    "Gemini",
    "Helios",
    "Iris",
    "Jupiter",
    "Kestrel",
    "Lumière",
    "Meridian",
    "Nova",
    "Orion",
    "Pegasus",
    "Quasar",
    "Riviera",
    "Sirius",
    "Tempest",
    "Umbra",
    "Vega",
    "Westwind",
    "Xenon",
    "Yukon",
    "Zenith",
    "Aurora",
    "Bastion",
    "Comet",
    "Dune",
]
_PROJECT_KINDS = ["Website", "Mobile App", "Data Platform", "ERP Rollout", "Brand Refresh", "Migration"]


@dataclass(frozen=True)
class DemoPerson:
    id: int
    first_name: str
    last_name: str
    email: str
    role: str
    job_title: str


@dataclass(frozen=True)
class DemoProject:
    id: int
    name: str
    job_order: str
    pm_id: int
    account_id: int
    archived: bool
    whitelist_enabled: bool
    start: date


@dataclass(frozen=True)
class DemoCompany:
    people: list[DemoPerson]
    projects: list[DemoProject]
    created_at: datetime

    def person(self, person_id: int) -> DemoPerson:
        return next(p for p in self.people if p.id == person_id)

    def by_email(self, email: str) -> DemoPerson | None:
        return next((p for p in self.people if p.email.lower() == email.lower()), None)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def demo_company(seed: int = 7, *, people: int = 36, projects: int = 30) -> DemoCompany:
    """The same company for the same seed: people with roles, projects with a PM and an Account."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    crowd: list[DemoPerson] = []
    for index in range(people):
        first = _FIRST[index % len(_FIRST)]
        last = _LAST[(index * 7) % len(_LAST)]
        suffix = "" if index < len(_FIRST) else str(index // len(_FIRST))
        role = (
            _ROLES[0]
            if index < 6
            else _ROLES[1]
            if index < 8
            else _ROLES[5]
            if index < 12
            else rng.choice(_ROLES[2:5])
        )
        email = f"{_ascii(first)}.{_ascii(last)}{suffix}@{DEMO_DOMAIN}"
        crowd.append(DemoPerson(index + 1, first, last, email, role, _JOB_TITLES[role]))
    managers = [p for p in crowd if p.role == "Project Manager"]
    accounts = [p for p in crowd if p.role == "Account Manager"]
    portfolio: list[DemoProject] = []
    for index in range(projects):
        word = _PROJECT_WORDS[index % len(_PROJECT_WORDS)]
        kind = _PROJECT_KINDS[index % len(_PROJECT_KINDS)]
        cycle = index // len(_PROJECT_WORDS)
        name = f"{word} {kind}" + (f" {cycle + 1}" if cycle else "")
        portfolio.append(
            DemoProject(
                id=1000 + index,
                name=name,
                job_order=f"JO-{2026 - index % 3}-{index + 1:04d}",
                pm_id=managers[index % len(managers)].id,
                account_id=accounts[index % len(accounts)].id,
                archived=index % 10 == 9,
                whitelist_enabled=index % 4 != 3,
                start=date(2026, 1, 1) + timedelta(days=30 * (index % 12)),
            )
        )
    return DemoCompany(crowd, portfolio, datetime(2026, 1, 1, tzinfo=UTC))
