"""The policy file: the documented example loads, and every mistake is named with file and line."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from app.policy.file import PolicyFileError, load_policy, parse_policy
from app.policy.model import ApproverSource, Member, MemberKind, Permission, ReminderHours

ROOT = Path(__file__).resolve().parents[2]
FILE = Path("policy.yml")


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(PolicyFileError) as raised:
        parse_policy(text, FILE)
    return [(p.line, p.message) for p in raised.value.problems]


def test_the_example_policy_loads_as_documented() -> None:
    policy = load_policy(ROOT / "policy.example.yml")
    assert policy.roles["project-manager"] == {
        Permission.PLANNING_MODIFY,
        Permission.PIPELINE_EDIT,
        Permission.PEOPLE_ADD,
    }
    assert len(policy.roles["resource-manager"]) == 7
    assert policy.members["resource-manager"] == (
        Member(kind=MemberKind.SLACK_USER, value="U0RESMGR"),
        Member(kind=MemberKind.EMAIL, value="ops@example.com"),
        Member(kind=MemberKind.USERGROUP, value="resourcing"),
    )
    assert policy.members["project-manager"] == (
        Member(kind=MemberKind.WETHOD_ROLE, value="Project Manager"),
    )
    assert policy.approvals.approvers == (ApproverSource.PM, ApproverSource.ACCOUNT)
    assert policy.approvals.fallback == (Member(kind=MemberKind.SLACK_USER, value="U0RESMGR"),)
    assert policy.approvals.auto_approve is True
    assert policy.approvals.expire_after == timedelta(hours=72)
    assert policy.approvals.remind_after == timedelta(hours=4)
    assert policy.approvals.remind_between == ReminderHours(start=time(9), end=time(18))
    assert policy.approvals.escalate_after == timedelta(hours=24)


def test_everyone_can_be_a_member() -> None:
    policy = parse_policy("roles:\n  anyone: [pipeline.edit]\nmembers:\n  anyone: ['*']\n", FILE)
    assert policy.members["anyone"] == (Member(kind=MemberKind.EVERYONE),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "roles:\n  pm: [planning.modify, planning.delete]\n",
            [(2, "unknown permission 'planning.delete' in role 'pm'")],
        ),
        (
            "roles:\n  pm: [planning.modify]\nmembers:\n  pm: [U0A]\n  boss: ['*']\n",
            [(5, "unknown role 'boss' in members; roles are: pm")],
        ),
        (
            "roles:\n  pm: [planning.modify]\nmembers:\n  pm: [someone]\n",
            [(4, "'someone' is not a Slack user id (U0123ABC), an e-mail, an @usergroup handle")],
        ),
        (
            "roles: {}\napprovals:\n  expire_after: 3 days\n",
            [(3, "'3 days' is not a duration; write it like 72h, 3d, 90m or 1d12h")],
        ),
        (
            "roles: {}\napprovals:\n  expire_after: 0h\n",
            [(3, "approvals.expire_after must be longer than zero")],
        ),
        (
            "roles: {}\napprovals:\n  auto_approve: maybe\n",
            [(3, "approvals.auto_approve must be true or false")],
        ),
        (
            "roles: {}\napprovals:\n  approvers: [pm, cto]\n",
            [(3, "unknown approver 'cto'; use pm and/or account")],
        ),
        ("roles: {}\napprovals:\n  escalate: yes\n", [(3, "unknown setting 'escalate' in approvals")]),
        ("roles: {}\nmember: {}\n", [(2, "unknown section 'member'")]),
        ("members: {}\n", [(1, "the policy has no 'roles' section")]),
        ("roles:\n  pm: planning.modify\n", [(2, "the permissions of role 'pm' must be a list")]),
        ("roles:\n  pm: [a]\n  pm: [b]\n", [(3, "'pm' appears twice in roles")]),
        ("roles: [pm]\n", [(1, "roles must be a mapping")]),
        ("roles:\n  pm: [planning.modify\n", [(3, "not valid YAML")]),
        ("", [(None, "the file is empty")]),
    ],
)
def test_each_mistake_is_named_with_its_line(text: str, expected: list[tuple[int | None, str]]) -> None:
    found = problems(text)
    assert len(found) >= len(expected)
    for (line, start), (found_line, message) in zip(expected, found, strict=False):
        assert found_line == line
        assert message.startswith(start), message


def test_every_problem_is_listed_at_once_with_the_file_name() -> None:
    text = "roles:\n  pm: [planning.nope]\nmembers:\n  ghost: [U0A]\napprovals:\n  expire_after: soon\n"
    with pytest.raises(PolicyFileError) as raised:
        parse_policy(text, Path("/etc/staffdesk/policy.yml"))
    message = str(raised.value)
    assert message.splitlines()[0] == "/etc/staffdesk/policy.yml: the permission policy has 3 problems:"
    assert "/etc/staffdesk/policy.yml:2: unknown permission 'planning.nope'" in message
    assert "/etc/staffdesk/policy.yml:4: unknown role 'ghost'" in message
    assert "/etc/staffdesk/policy.yml:6: 'soon' is not a duration" in message


def test_a_missing_file_says_which_setting_names_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no such file; set STAFFDESK_POLICY"):
        load_policy(tmp_path / "absent.yml")


def test_a_missing_file_with_the_example_beside_it_suggests_copying_it(tmp_path: Path) -> None:
    (tmp_path / "policy.example.yml").write_text((ROOT / "policy.example.yml").read_text())
    missing = tmp_path / "policy.yml"
    with pytest.raises(PolicyFileError) as raised:
        load_policy(missing)
    assert str(raised.value) == (
        f"{missing}: no such file; start from the example beside it: "
        f"cp {tmp_path / 'policy.example.yml'} {missing} (or point STAFFDESK_POLICY at your own policy file)"
    )


def test_a_missing_file_without_the_example_still_says_how_to_start_from_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError) as raised:
        load_policy(tmp_path / "policy.yml")
    assert str(raised.value).endswith(
        "if you have Staffdesk's example, copy it: cp policy.example.yml " + str(tmp_path / "policy.yml")
    )


BASE = "roles:\n  pm: [planning.modify]\nmembers:\n  pm: ['*']\napprovals:\n"


def test_reminders_default_to_office_hours_and_always_means_any_hour() -> None:
    hours = parse_policy(BASE + "  remind_after: 2h\n", FILE).approvals
    assert hours.remind_between == ReminderHours(start=time(9), end=time(18))
    assert hours.may_nudge(datetime(2026, 11, 30, 9, 0))  # a Monday at nine
    assert not hours.may_nudge(datetime(2026, 11, 30, 18, 0))
    assert not hours.may_nudge(datetime(2026, 11, 28, 12, 0))  # a Saturday
    always = parse_policy(BASE + "  remind_after: 2h\n  remind_between: always\n", FILE).approvals
    assert always.remind_between is None
    assert always.may_nudge(datetime(2026, 11, 28, 3, 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "  remind_after: 24h\n  escalate_after: 4h\n",
            [(6, "approvals.remind_after must be shorter than escalate_after")],
        ),
        (
            "  expire_after: 2h\n  remind_after: 3h\n  escalate_after: 2h\n",
            [
                (7, "approvals.remind_after must be shorter than escalate_after"),
                (7, "approvals.remind_after must be shorter than expire_after"),
                (8, "approvals.escalate_after must be shorter than expire_after"),
            ],
        ),
        (
            "  remind_between: 18:00-09:00\n",
            [(6, "approvals.remind_between must start before it ends, within one day")],
        ),
        (
            "  remind_between: nine to six\n",
            [(6, "'nine to six' is not a span of hours; write it like 09:00-18:00, or always")],
        ),
        ("  remind_after: soon\n", [(6, "'soon' is not a duration; write it like 72h, 3d, 90m or 1d12h")]),
        ("  escalate_after: 0m\n", [(6, "approvals.escalate_after must be longer than zero")]),
    ],
)
def test_reminder_settings_are_checked_with_their_line(text: str, expected: list[tuple[int, str]]) -> None:
    assert problems(BASE + text) == expected
