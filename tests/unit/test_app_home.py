"""App Home's pieces: the buttons to ask, the age of requests, and this week's grid of hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.views import View

from app.domain.requests import AllocationPayload
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.services.ports import DayAllocation
from app.services.queries import RequestDescription
from app.services.team_week import PersonWeek, TeamWeek, week_grid, working_week
from app.slack.blocks.home import (
    START_KINDS,
    ago,
    build_home,
    build_start_buttons,
    build_team_week,
    build_week_grid,
    hours_cell,
)
from app.slack.ids import Action
from tests.factories import a_request

WEEK = working_week(date(2026, 11, 25))
ASKED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_there_is_a_button_for_each_kind_of_request_of_each_upstream_set_up() -> None:
    assert labels(build_start_buttons(list(Upstream))) == [
        "Allocate hours",
        "Add to a timesheet whitelist",
        "Add to a MissionX project",
        "Add to a Procore project",
    ]
    assert labels(build_start_buttons([Upstream.WETHOD, Upstream.PROCORE])) == [
        "Allocate hours",
        "Add to a timesheet whitelist",
        "Add to a Procore project",
    ]
    assert labels(build_start_buttons([Upstream.MISSIONX])) == ["Add to a MissionX project"]


def test_with_no_upstream_set_up_there_is_nothing_to_click() -> None:
    blocks = build_start_buttons([])
    assert labels(blocks) == []
    assert "nothing to ask for" in json.dumps(blocks)


def test_each_start_button_has_its_own_action_id() -> None:
    actions = [e["action_id"] for b in build_start_buttons(list(Upstream)) for e in b["elements"]]
    assert actions == [
        Action.START_ALLOCATION,
        Action.START_WHITELIST,
        Action.START_MISSIONX_PERSON,
        Action.START_PROCORE_PERSON,
    ]
    assert set(START_KINDS) == set(actions)


def test_the_age_is_a_slack_date_token_that_reads_as_time_ago() -> None:
    assert ago(ASKED) == f"<!date^{int(ASKED.timestamp())}^{{ago}}|2026-11-20 09:30 UTC>"


def test_my_requests_and_the_approvals_waiting_show_how_long_ago_they_were_asked() -> None:
    request = a_request(
        AllocationPayload(person_id=1, project_id=2, dates=(date(2026, 12, 1),), hours=4),
        status=RequestStatus.PENDING_APPROVAL,
        created_at=ASKED,
    )
    desc = RequestDescription(request, subject="Marta Gallo", project="Apollo", details="4 h a day")
    home = json.dumps(build_home([desc], [desc]))
    assert home.count(f"asked {ago(ASKED)}") == 2


@pytest.mark.parametrize(
    ("hours", "cell"),
    [(0, "  — "), (1, "  1↓"), (4, "  4↓"), (7, "  7↓"), (8, "  8 "), (9, "  9⚠"), (12, " 12⚠")],
)
def test_a_day_is_marked_over_or_under_eight_hours(hours: int, cell: str) -> None:
    assert hours_cell(hours) == cell


def test_the_grid_has_a_line_per_person_with_the_days_in_columns() -> None:
    week = TeamWeek(WEEK, (PersonWeek("Marta Gallo", (8, 8, 4, 0, 10)), PersonWeek("Luca", (8,) * 5)))
    assert build_week_grid(week).splitlines() == [
        "```",
        "                     Mon  Tue  Wed  Thu  Fri",
        "Marta Gallo            8    8    4↓   —   10⚠",
        "Luca                   8    8    8    8    8",
        "```",
    ]


def test_names_in_the_grid_are_escaped_and_cannot_close_its_code_block() -> None:
    week = TeamWeek(WEEK, (PersonWeek("<!here> & ```*x*", (8,) * 5),))
    text = build_week_grid(week)
    assert "&lt;!here&gt; &amp; '''*x*" in text
    assert "<!here>" not in text
    assert text.count("```") == 2


def test_the_week_is_titled_with_its_days_and_explains_its_marks() -> None:
    blocks = build_team_week(TeamWeek(WEEK, (PersonWeek("Marta", (9, 8, 8, 8, 8)),), left_out=3))
    assert blocks[0]["text"]["text"] == "This week's hours, Mon 23 – Fri 27 Nov"
    legend = blocks[-1]["elements"][0]["text"]
    assert "⚠ over 8 h" in legend
    assert "↓ under 8 h" in legend
    assert "3 more not shown" in legend


@pytest.mark.parametrize(
    "missing", ["Wethod is not set up.", "This week's hours cannot be shown: answered 503 <b>down</b>"]
)
def test_a_week_without_a_grid_is_one_escaped_line_saying_why(missing: str) -> None:
    blocks = build_team_week(TeamWeek(WEEK, missing=missing))
    assert len(blocks) == 2
    assert "```" not in json.dumps(blocks)
    assert blocks[1]["text"]["text"] == missing.replace("<", "&lt;").replace(">", "&gt;")


def test_a_week_with_nobody_on_my_projects_says_so() -> None:
    assert "Nobody has hours" in json.dumps(build_team_week(TeamWeek(WEEK)))


def test_the_working_week_is_monday_to_friday_of_the_week_of_the_day() -> None:
    monday = date(2026, 11, 23)
    expected = tuple(monday + timedelta(days=i) for i in range(5))
    for offset in range(7):
        assert working_week(monday + timedelta(days=offset)) == expected


def day(*allocations: tuple[int, int, int]) -> list[DayAllocation]:
    return [DayAllocation(person_id=p, project_id=j, hours=h) for p, j, h in allocations]


def test_the_grid_holds_the_people_on_my_projects_with_their_hours_on_all_projects() -> None:
    found = [
        day((13, 1000, 6), (13, 1001, 4), (20, 1001, 8)),
        day((13, 1000, 8)),
        day(),
        day((7, 1006, 2)),
        day((13, 1001, 3)),
    ]
    week = week_grid(WEEK, found, {"1000", "1006"}, {"13": "Marta Gallo", "7": "Giulia Romano"})
    assert week.people == (
        PersonWeek("Giulia Romano", (0, 0, 0, 2, 0)),
        PersonWeek("Marta Gallo", (10, 8, 0, 0, 3)),
    )
    assert week.people[1].over
    assert not week.people[0].over
    assert week.left_out == 0


def test_a_person_missing_from_the_directory_is_named_by_their_wethod_id() -> None:
    week = week_grid(WEEK, [day((99, 1000, 8)), [], [], [], []], {"1000"}, {})
    assert [str(p.name) for p in week.people] == ["Wethod person 99"]


def test_a_long_team_keeps_those_over_eight_and_says_how_many_are_left_out() -> None:
    found = [day(*[(p, 1000, 9 if p in (30, 31) else 4) for p in range(1, 32)]), [], [], [], []]
    names = {str(p): f"P{p:02d}" for p in range(1, 32)}
    week = week_grid(WEEK, found, {"1000"}, names, limit=5)
    assert [p.name for p in week.people] == ["P01", "P02", "P03", "P30", "P31"]
    assert week.left_out == 26


def test_the_whole_home_is_valid_block_kit_within_slacks_limits() -> None:
    request = a_request(
        AllocationPayload(person_id=1, project_id=2, dates=(date(2026, 12, 1),), hours=4),
        status=RequestStatus.PENDING_APPROVAL,
    )
    many = [RequestDescription(request, "S" * 300, "P" * 300, "D" * 300)] * 40
    people = tuple(PersonWeek("N" * 80, (12, 0, 4, 8, 9)) for _ in range(20))
    home = build_home(many, many, enabled=list(Upstream), week=TeamWeek(WEEK, people, left_out=180))
    View(**home).validate_json()
    assert len(home["blocks"]) <= 100
    assert home["blocks"][-1]["type"] == "context"
    assert any("```" in json.dumps(b) for b in home["blocks"])
