"""The demo's Slack workspace: the sandbox company's people as Slack users, a channel, a user group, the
app's slash commands, and the permission policy that gives the cast their parts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.sandbox.demo import DemoCompany

TEAM_ID = "T0DEMO"
TEAM_NAME = "Acme (demo)"
TEAM_DOMAIN = "acme-demo"
APP_ID = "A0STAFFDESK"
BOT_ID = "B0STAFFDESK"
BOT_USER_ID = "U0STAFFDESK"
BOT_NAME = "Staffdesk"
CHANNEL_ID = "C0STAFFING"
CHANNEL_NAME = "staffing"
RESOURCING_ID = "S0RESOURCING"
RESOURCING = "resourcing"
SLACKBOT_ID = "USLACKBOT"
TIME_ZONE = "Europe/Rome"


@dataclass(frozen=True)
class SlashCommand:
    description: str
    usage_hint: str


# As manifest.yml declares them (tests/unit/test_demo_workspace.py keeps the two in step).
COMMANDS: dict[str, SlashCommand] = {
    "/allocate": SlashCommand(
        "Allocate a person to a project for some hours on some days",
        "[@person] [project] [date or range] [hours]",
    ),
    "/whitelist": SlashCommand("Add a person to a project's timesheet whitelist", "[@person] [project]"),
    "/add-person": SlashCommand("Add a person to a MissionX or Procore project", "[project]"),
    "/staffing": SlashCommand(
        "Help, my requests, approvals waiting for me, today's summary, away and back",
        "[help | mine | pending | summary | digest | away @someone FROM..TO | back]",
    ),
}


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str  # the handle people type after @
    real_name: str
    email: str
    title: str


@dataclass(frozen=True)
class Part:
    """A member of the cast: someone the page offers to play, and what they do in the story."""

    user_id: str
    part: str


@dataclass(frozen=True)
class Workspace:
    users: tuple[SlackUser, ...]
    cast: tuple[Part, ...]
    resourcing: tuple[str, ...]  # the members of the @resourcing user group

    def user(self, user_id: str) -> SlackUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def by_email(self, email: str) -> SlackUser | None:
        return next((u for u in self.users if u.email.lower() == email.lower()), None)

    def by_name(self, name: str) -> SlackUser | None:
        return next((u for u in self.users if u.name == name.lower()), None)

    def names(self) -> dict[str, str]:
        """Every user's name as mentions show it, the bot's included."""
        return {BOT_USER_ID: BOT_NAME, SLACKBOT_ID: "Slackbot"} | {u.id: u.real_name for u in self.users}


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


def demo_workspace(company: DemoCompany) -> Workspace:
    """Everyone in the demo company is a Slack user with the same e-mail; the cast is a requester, the PM
    and the Account of the first project, and a resource manager."""
    users: list[SlackUser] = []
    for person in company.people:
        handle = _ascii(person.first_name).lower()
        taken = {u.name for u in users}
        handle = handle if handle not in taken else f"{handle}{person.id}"
        users.append(
            SlackUser(
                id=f"U0{handle.upper()}",
                name=handle,
                real_name=f"{person.first_name} {person.last_name}",
                email=person.email,
                title=person.job_title,
            )
        )
    by_email = {u.email: u.id for u in users}
    project = company.projects[0]
    pm, account = company.person(project.pm_id), company.person(project.account_id)
    resource_manager = next(p for p in company.people if p.role == "Resource Manager")
    requester = next(p for p in company.people if p.role == "Developer")
    cast = (
        Part(by_email[requester.email], "asks for staffing changes"),
        Part(by_email[pm.email], f"PM of {project.name}: approves"),
        Part(by_email[account.email], f"Account of {project.name}: approves"),
        Part(by_email[resource_manager.email], "resource manager: may do anything"),
    )
    return Workspace(tuple(users), cast, (by_email[resource_manager.email],))


def demo_policy(workspace: Workspace) -> str:
    """The permission policy of the demo: the @resourcing group may do anything, PMs and Accounts may
    change their own projects, and everyone else asks."""
    fallback = ", ".join(f'"{user_id}"' for user_id in workspace.resourcing)
    return f"""\
roles:
  resource-manager: [planning.modify, planning.modify_other, planning.modify_past,
                     pipeline.edit, pipeline.edit_other, people.add, people.add_other]
  project-manager: [planning.modify, pipeline.edit, people.add]
members:
  resource-manager: ["@{RESOURCING}"]
  project-manager: ["wethod:Project Manager", "wethod:Account Manager"]
approvals:
  approvers: [pm, account]
  fallback: [{fallback}]
  auto_approve: true
  expire_after: 72h
"""
