"""The demo's workspace, policy, command and README say the same things as the app and the manifest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from app.__main__ import _parser
from app.demo.runner import next_working_days
from app.demo.workspace import COMMANDS, RESOURCING, demo_policy, demo_workspace
from app.policy.file import parse_policy
from app.policy.model import Member, MemberKind, Policy
from app.sandbox.demo import demo_company

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_offers_the_commands_the_manifest_declares() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    declared = {
        c["command"]: (c["description"], c["usage_hint"]) for c in manifest["features"]["slash_commands"]
    }
    assert {name: (c.description, c.usage_hint) for name, c in COMMANDS.items()} == declared


def test_everyone_in_the_demo_company_is_a_slack_user_with_the_same_email() -> None:
    company = demo_company()
    workspace = demo_workspace(company)
    assert sorted(u.email for u in workspace.users) == sorted(p.email for p in company.people)
    assert (
        len({u.id for u in workspace.users}) == len({u.name for u in workspace.users}) == len(company.people)
    )
    assert all(re.fullmatch(r"U[A-Z0-9]+", u.id) for u in workspace.users)


def test_the_cast_is_a_requester_the_pm_and_account_of_the_first_project_and_a_resource_manager() -> None:
    company = demo_company()
    workspace = demo_workspace(company)
    users = {u.id: u for u in workspace.users}
    people = {p.email: p for p in company.people}
    emails = [users[part.user_id].email for part in workspace.cast]
    roles = [people[email].role for email in emails]
    assert roles == ["Developer", "Project Manager", "Account Manager", "Resource Manager"]
    project = company.projects[0]
    assert emails[1:3] == [company.person(project.pm_id).email, company.person(project.account_id).email]
    assert workspace.resourcing == (workspace.cast[3].user_id,)


def test_the_demo_policy_is_valid_and_lets_only_resourcing_do_anything() -> None:
    workspace = demo_workspace(demo_company())
    policy: Policy = parse_policy(demo_policy(workspace), Path("policy.yml"))
    assert policy.members["resource-manager"] == (Member(kind=MemberKind.USERGROUP, value=RESOURCING),)
    assert policy.approvals.fallback == tuple(
        Member(kind=MemberKind.SLACK_USER, value=user) for user in workspace.resourcing
    )
    assert policy.approvals.auto_approve


def test_the_demo_command_takes_the_pages_port() -> None:
    assert _parser().parse_args(["demo"]).port == 8080
    assert _parser().parse_args(["demo", "--port", "0"]).port == 0


def test_the_suggested_days_are_next_weeks_first_working_days() -> None:
    assert next_working_days(date(2026, 12, 1), 2) == [date(2026, 12, 7), date(2026, 12, 8)]
    assert next_working_days(date(2026, 12, 6), 1) == [date(2026, 12, 7)]


def test_the_readme_opens_with_the_demo_then_serve_then_the_tests_and_says_how_to_try_it() -> None:
    readme = (ROOT / "README.md").read_text()
    run, test = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)[:2]
    assert run == "python3 -m venv .venv && . .venv/bin/activate && pip install . && staffdesk demo"
    assert test.endswith("pip install -e '.[test]' && pytest")
    between = readme[readme.index(run) : readme.index(test)]
    assert "`staffdesk serve`" in between
    assert "\n## Try it\n" in readme
