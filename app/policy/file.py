"""Read the permission policy YAML file; every problem is reported with the file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.policy.model import (
    ApprovalSettings,
    ApproverSource,
    Member,
    MemberKind,
    Permission,
    Policy,
    ReminderHours,
)

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_HOURS = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)$")
_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}
_KNOWN_PERMISSIONS = ", ".join(p.value for p in Permission)
EXAMPLE_NAME = "policy.example.yml"
ALWAYS = "always"
_MEMBER_FORMS = "a Slack user id (U0123ABC), an e-mail, an @usergroup handle, wethod:<role name>, or *"


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


class PolicyFileError(Exception):
    """The policy file cannot be used; the message names the file, each line and its problem."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        if len(problems) == 1 and problems[0].line is None:
            super().__init__(f"{path}: {problems[0].message}")
            return
        lines = [
            f"{path}: the permission policy has {len(problems)} problem{'s' if len(problems) > 1 else ''}:"
        ]
        lines += [f"  {path}:{p.line}: {p.message}" if p.line else f"  {path}: {p.message}" for p in problems]
        super().__init__("\n".join(lines))


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(_line(node) if node is not None else None, message))

    def mapping(self, node: Node, what: str) -> list[tuple[str, Node, Node]]:
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping of names to values")
            return []
        seen: set[str] = set()
        pairs: list[tuple[str, Node, Node]] = []
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.fail(key, f"a key in {what} must be a plain name")
                continue
            if key.value in seen:
                self.fail(key, f"'{key.value}' appears twice in {what}")
            seen.add(key.value)
            pairs.append((key.value, key, value))
        return pairs

    def scalars(self, node: Node, what: str) -> list[ScalarNode]:
        if isinstance(node, SequenceNode) and all(isinstance(n, ScalarNode) for n in node.value):
            return list(node.value)
        self.fail(node, f"{what} must be a list such as [a, b]")
        return []

    def member(self, node: ScalarNode) -> Member | None:
        text = node.value.strip()
        if text == "*":
            return Member(kind=MemberKind.EVERYONE)
        if text.startswith("@") and len(text) > 1:
            return Member(kind=MemberKind.USERGROUP, value=text[1:])
        if text.startswith("wethod:") and text[7:].strip():
            return Member(kind=MemberKind.WETHOD_ROLE, value=text[7:].strip())
        if _EMAIL.match(text):
            return Member(kind=MemberKind.EMAIL, value=text.lower())
        if _SLACK_ID.match(text):
            return Member(kind=MemberKind.SLACK_USER, value=text)
        self.fail(node, f"'{text}' is not {_MEMBER_FORMS}")
        return None

    def members(self, node: Node, what: str) -> tuple[Member, ...]:
        found = [self.member(n) for n in self.scalars(node, what)]
        return tuple(m for m in found if m is not None)

    def roles(self, node: Node) -> dict[str, frozenset[Permission]]:
        roles: dict[str, frozenset[Permission]] = {}
        for name, _, value in self.mapping(node, "roles"):
            permissions = set()
            for item in self.scalars(value, f"the permissions of role '{name}'"):
                try:
                    permissions.add(Permission(item.value))
                except ValueError:
                    self.fail(
                        item,
                        f"unknown permission '{item.value}' in role '{name}'; known: {_KNOWN_PERMISSIONS}",
                    )
            roles[name] = frozenset(permissions)
        return roles

    def role_members(
        self, node: Node, roles: dict[str, frozenset[Permission]]
    ) -> dict[str, tuple[Member, ...]]:
        members = {}
        for name, key, value in self.mapping(node, "members"):
            if name not in roles:
                self.fail(key, f"unknown role '{name}' in members; roles are: {', '.join(roles) or 'none'}")
            members[name] = self.members(value, f"the members of role '{name}'")
        return members

    def approvals(self, node: Node) -> ApprovalSettings:
        settings: dict[str, object] = {}
        lines: dict[str, Node] = {}
        for name, key, value in self.mapping(node, "approvals"):
            if name == "approvers":
                sources = []
                for item in self.scalars(value, "approvals.approvers"):
                    if item.value in {s.value for s in ApproverSource}:
                        sources.append(ApproverSource(item.value))
                    else:
                        self.fail(item, f"unknown approver '{item.value}'; use pm and/or account")
                settings["approvers"] = tuple(sources)
            elif name == "fallback":
                settings["fallback"] = self.members(value, "approvals.fallback")
            elif name == "auto_approve":
                flag = value.value.lower() if isinstance(value, ScalarNode) else ""
                if flag not in _TRUE | _FALSE:
                    self.fail(value, "approvals.auto_approve must be true or false")
                settings["auto_approve"] = flag in _TRUE
            elif name in ("expire_after", "remind_after", "escalate_after"):
                settings[name] = self.duration(value, f"approvals.{name}")
                lines[name] = value
            elif name == "remind_between":
                settings["remind_between"] = self.hours(value)
                lines[name] = value
            else:
                self.fail(
                    key,
                    f"unknown setting '{name}' in approvals; known: approvers, fallback, auto_approve, "
                    "expire_after, remind_after, remind_between, escalate_after",
                )
        self._in_order(settings, lines)
        given = {k: v for k, v in settings.items() if v is not None}
        if given.get("remind_between") == ALWAYS:
            given["remind_between"] = None
        return ApprovalSettings.model_validate(given)

    def _in_order(self, settings: dict[str, object], lines: dict[str, Node]) -> None:
        """remind_after before escalate_after, and both before expire_after."""
        expire = settings.get("expire_after") or ApprovalSettings().expire_after
        remind, escalate = settings.get("remind_after"), settings.get("escalate_after")
        if isinstance(remind, timedelta) and isinstance(escalate, timedelta) and remind >= escalate:
            self.fail(lines["remind_after"], "approvals.remind_after must be shorter than escalate_after")
        for name, value in (("remind_after", remind), ("escalate_after", escalate)):
            if isinstance(value, timedelta) and isinstance(expire, timedelta) and value >= expire:
                self.fail(lines[name], f"approvals.{name} must be shorter than expire_after")

    def hours(self, node: Node) -> ReminderHours | str | None:
        """09:00-18:00, or "always"."""
        text = node.value.strip().lower() if isinstance(node, ScalarNode) else ""
        if text == ALWAYS:
            return ALWAYS
        match = _HOURS.match(text)
        if match is None:
            self.fail(node, f"'{text}' is not a span of hours; write it like 09:00-18:00, or always")
            return None
        start, end = (time(int(h), int(m)) for h, m in (match.group(1, 2), match.group(3, 4)))
        if start >= end:
            self.fail(node, "approvals.remind_between must start before it ends, within one day")
            return None
        return ReminderHours(start=start, end=end)

    def duration(self, node: Node, what: str = "approvals.expire_after") -> timedelta | None:
        text = node.value.strip() if isinstance(node, ScalarNode) else ""
        match = _DURATION.match(text)
        if not text or match is None or not any(match.groups()):
            self.fail(node, f"'{text}' is not a duration; write it like 72h, 3d, 90m or 1d12h")
            return None
        days, hours, minutes = (int(g or 0) for g in match.groups())
        duration = timedelta(days=days, hours=hours, minutes=minutes)
        if duration <= timedelta(0):
            self.fail(node, f"{what} must be longer than zero")
            return None
        return duration


def parse_policy(text: str, path: Path) -> Policy:
    """The policy in `text`; PolicyFileError lists every problem found, each with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PolicyFileError(
            path, [Problem(line, f"not valid YAML: {exc.problem or exc.context}")]
        ) from None
    reader = _Reader()
    if root is None:
        raise PolicyFileError(
            path, [Problem(None, "the file is empty; it needs roles, members and approvals")]
        )
    sections = {name: (key, value) for name, key, value in reader.mapping(root, "the policy")}
    for name, (key, _) in sections.items():
        if name not in {"roles", "members", "approvals"}:
            reader.fail(key, f"unknown section '{name}'; the sections are roles, members and approvals")
    if "roles" not in sections:
        reader.fail(root, "the policy has no 'roles' section")
    roles = reader.roles(sections["roles"][1]) if "roles" in sections else {}
    members = reader.role_members(sections["members"][1], roles) if "members" in sections else {}
    approvals = reader.approvals(sections["approvals"][1]) if "approvals" in sections else ApprovalSettings()
    if reader.problems:
        raise PolicyFileError(path, reader.problems)
    return Policy(roles=roles, members=members, approvals=approvals)


def _missing(path: Path) -> str:
    """What to do about a policy file that is not there: copy the example beside it, if there is one."""
    example = path.with_name(EXAMPLE_NAME)
    if example != path and example.is_file():
        return (
            f"no such file; start from the example beside it: cp {example} {path} "
            "(or point STAFFDESK_POLICY at your own policy file)"
        )
    return (
        "no such file; set STAFFDESK_POLICY to the policy file, or, if you have Staffdesk's example, "
        f"copy it: cp {EXAMPLE_NAME} {path}"
    )


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(path, [Problem(None, _missing(path))]) from None
    except OSError as exc:
        raise PolicyFileError(path, [Problem(None, f"cannot be read ({exc.strerror})")]) from None
    return parse_policy(text, path)
