"""Every word a person reads on a translated screen comes from the catalog: each screen is built under a
pseudo locale that puts each template in markers, and what is left outside them must be data given to the
builder. A module that is translated adds its screens to SCREENS."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.domain.absences import Absence
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.i18n import Language, reading_as
from app.services.queries import RequestDescription
from app.services.team_week import PersonWeek, TeamWeek
from app.slack.blocks.common import section, status_text
from app.slack.blocks.escape import Mrkdwn
from app.slack.blocks.home import build_home, build_team_week, help_text
from app.slack.listeners.staffing import (
    away_set_text,
    away_unread_text,
    away_usage_text,
    back_text,
    digest_set_text,
    digest_state_text,
    left_out_text,
    not_a_digest_setting_text,
    unknown_command_text,
)
from app.slack.locale import t
from app.slack.text import AwayText
from tests.form_screens import FORM_SCREENS
from tests.pseudo_locale import Screen, pseudo_reading, untranslated
from tests.request_screens import REQUEST_SCREENS
from tests.snapshot_cases import ALLOCATION, DAYS, WHITELIST, decided, described

WEEK = tuple(date(2026, 11, 23) + timedelta(days=i) for i in range(5))
PEOPLE = (PersonWeek("Marta Gallo", (8, 10, 4, 0, 8)), PersonWeek("Paolo Neri", (8, 8, 8, 8, 8)))
MISSING = "Your Wethod account could not be found, so your projects' people are not shown."
AWAY = Absence(slack_user_id="U0PM00001", delegate_id="U0RM00001", starts=DAYS[0], ends=DAYS[-1])


def _described(descriptions: list[RequestDescription]) -> tuple[str, ...]:
    return tuple(v for d in descriptions for v in (d.title, d.subject, d.project, d.details))


def _home() -> Screen:
    mine = [described(), decided(RequestStatus.DELIVERED, WHITELIST)]
    waiting = [described(ALLOCATION, requester_id="U0OTHER01")]
    home = build_home(mine, waiting, enabled=list(Upstream), week=TeamWeek(WEEK, PEOPLE))
    return Screen(home, _described(mine + waiting) + tuple(p.name for p in PEOPLE))


def _home_away_with_two_waiting() -> Screen:
    waiting = [
        described(ALLOCATION, requester_id="U0OTHER01"),
        described(WHITELIST, requester_id="U0OTHER02", id="r-whitelist"),
    ]
    return Screen(build_home([], waiting, enabled=[Upstream.WETHOD], away=AWAY), _described(waiting))


SCREENS: dict[str, Callable[[], Screen]] = {
    "app-home": _home,
    "app-home-away-two-waiting": _home_away_with_two_waiting,
    "app-home-nothing-set-up": lambda: Screen(build_home([], [], enabled=[])),
    "team-week-missing": lambda: Screen(build_team_week(TeamWeek(WEEK, missing=MISSING)), (MISSING,)),
    "team-week-nobody": lambda: Screen(build_team_week(TeamWeek(WEEK))),
    "team-week-one-left-out": lambda: Screen(
        build_team_week(TeamWeek(WEEK, PEOPLE, left_out=1)), tuple(p.name for p in PEOPLE)
    ),
    "team-week-three-left-out": lambda: Screen(
        build_team_week(TeamWeek(WEEK, PEOPLE, left_out=3)), tuple(p.name for p in PEOPLE)
    ),
    **{f"status-{s.value}": (lambda s=s: Screen(status_text(s))) for s in RequestStatus},
    "staffing-help": lambda: Screen(help_text()),
    "staffing-unknown-command": lambda: Screen(unknown_command_text("weekly report"), ("weekly report",)),
    "staffing-left-out": lambda: Screen(left_out_text(["please", "now"]), ("please", "now")),
    "staffing-digest-on": lambda: Screen(digest_state_text(True, "09:00")),
    "staffing-digest-off": lambda: Screen(digest_state_text(False, "09:00")),
    "staffing-digest-turned-on": lambda: Screen(digest_set_text(True)),
    "staffing-digest-turned-off": lambda: Screen(digest_set_text(False)),
    "staffing-digest-unknown": lambda: Screen(not_a_digest_setting_text("weekly"), ("weekly",)),
    "staffing-away-usage": lambda: Screen(away_usage_text()),
    "staffing-away-who": lambda: Screen(
        away_unread_text(AwayText(notes=("“someday” is not a day",))), ("“someday” is not a day",)
    ),
    "staffing-away-when": lambda: Screen(away_unread_text(AwayText(delegate="U0RM00001"))),
    "staffing-away-set": lambda: Screen(away_set_text(AWAY, 0, DAYS[0])),
    "staffing-away-set-one-waiting": lambda: Screen(away_set_text(AWAY, 1, DAYS[0])),
    "staffing-away-set-two-waiting": lambda: Screen(away_set_text(AWAY, 2, DAYS[0])),
    "staffing-back": lambda: Screen(back_text(True)),
    "staffing-not-away": lambda: Screen(back_text(False)),
    **REQUEST_SCREENS,
    **FORM_SCREENS,
}


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("name", sorted(SCREENS))
def test_every_word_of_a_translated_screen_comes_from_the_catalog(name: str, language: Language) -> None:
    with pseudo_reading(language):
        screen = SCREENS[name]()
    assert untranslated(screen.shown, screen.data, language) == []


def test_the_check_finds_words_that_skip_the_catalog() -> None:
    with pseudo_reading():
        blocks = [section(Mrkdwn("Hello there")), section(Mrkdwn(t("Approve") + " now, Marta"))]
    assert untranslated({"blocks": blocks}, data=("Marta",)) == ["Hello there", "now,"]


def test_the_check_reads_button_labels_headers_and_the_notification_text() -> None:
    view = {
        "text": "Approve it",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Waiting"}},
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}],
            },
        ],
    }
    assert untranslated(view) == ["Approve it", "Waiting", "Go"]


def _italian(name: str) -> str:
    with reading_as("it-IT"):
        return json.dumps(SCREENS[name]().shown, ensure_ascii=False)


def test_app_home_reads_in_italian() -> None:
    home = _italian("app-home")
    for words in (
        "Chiedi una modifica allo staffing",
        "Richieste da approvare",
        "Le tue richieste",
        "Alloca ore",
        "In attesa di approvazione",
        "Ore di questa settimana, lun 23 – ven 27 nov",
        "lun  mar  mer  gio  ven",
        "<@U0OTHER01> chiede:",
    ):
        assert words in home
    assert "Waiting for approval" not in home


def test_the_away_line_says_the_days_in_italian() -> None:
    assert "Sei assente (mar 1 – gio 3 dic)" in _italian("app-home-away-two-waiting")


def test_plurals_follow_italian() -> None:
    assert "un'altra persona non mostrata" in _italian("team-week-one-left-out")
    assert "altre 3 persone non mostrate" in _italian("team-week-three-left-out")
    assert "Anche la richiesta che già aspettava" in _italian("staffing-away-set-one-waiting")
    assert "Anche le 2 richieste" in _italian("staffing-away-set-two-waiting")


def test_the_request_path_reads_in_italian() -> None:
    form = _italian("modal-allocation")
    for words in ('"Alloca"', "Invia la richiesta", "• mar 1 dic: 6 h già presenti + 4 h", "*Verranno"):
        assert words in form
    assert "Serve la tua approvazione: " in _italian("approval-pending")
    assert "tranne mer 2 dic" in _italian("decided-approved-with-changes")
    assert "Nessuno ha ancora deciso, quindi la richiesta è andata anche a <@U0RM00001>" in _italian(
        "approvers-added-escalated"
    )
    assert "Scegli un progetto Wethod dall'elenco." in _italian("form-errors-allocation-empty")


def test_english_stays_as_it_was() -> None:
    with reading_as("en-GB"):
        assert away_set_text(AWAY, 2, DAYS[0]) == (
            ":palm_tree: You are away Tue 1 – Thu 3 Dec: approvals that would come to you go to "
            "<@U0RM00001>, when they may decide them (else to the fallback approvers). The 2 approvals "
            "already waiting for you went to them too. `/staffing back` ends it."
        )
        assert str(help_text()).startswith("*Staffdesk* asks for staffing changes")
