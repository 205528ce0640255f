"""Which payloads count as coming from where Staffdesk is installed: its workspace, or its Enterprise Grid
organisation for an organisation-wide install."""

from __future__ import annotations

import pytest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext

from app.slack.app import installed_here

WORKSPACE = AuthorizeResult(enterprise_id=None, team_id="T0ACME")
IN_GRID = AuthorizeResult(enterprise_id="E0ACME", team_id="T0ACME")
ORG_WIDE = AuthorizeResult(enterprise_id="E0ACME", team_id=None)
ORG_WIDE_AS_TEAM = AuthorizeResult(enterprise_id="E0ACME", team_id="E0ACME")


def payload_context(
    installed: AuthorizeResult | None, team: str | None, enterprise: str | None = None
) -> AsyncBoltContext:
    """What Bolt knows of a payload: the workspace and organisation it names, and auth.test's answer."""
    context = AsyncBoltContext()
    if team is not None:
        context["team_id"] = team
    if enterprise is not None:
        context["enterprise_id"] = enterprise
    if installed is not None:
        context.set_authorize_result(installed)
    return context


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(payload_context(WORKSPACE, "T0ACME"), id="workspace"),
        pytest.param(payload_context(IN_GRID, "T0ACME", "E0ACME"), id="workspace-in-grid"),
        pytest.param(payload_context(ORG_WIDE, "T0BRANCH", "E0ACME"), id="org-wide"),
        pytest.param(payload_context(ORG_WIDE_AS_TEAM, "T0BRANCH", "E0ACME"), id="org-wide-named-as-team"),
    ],
)
def test_payloads_from_where_staffdesk_is_installed_are_let_through(context: AsyncBoltContext) -> None:
    assert installed_here(context)


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(payload_context(WORKSPACE, "T0OTHER"), id="other-workspace"),
        pytest.param(payload_context(WORKSPACE, None), id="no-workspace"),
        pytest.param(payload_context(IN_GRID, "T0BRANCH", "E0ACME"), id="other-workspace-same-org"),
        pytest.param(payload_context(ORG_WIDE, "T0BRANCH", "E0OTHER"), id="other-org"),
        pytest.param(payload_context(ORG_WIDE, "T0BRANCH", None), id="org-wide-without-org"),
        pytest.param(payload_context(None, "T0ACME"), id="not-authorized"),
    ],
)
def test_payloads_from_anywhere_else_are_refused(context: AsyncBoltContext) -> None:
    assert not installed_here(context)
