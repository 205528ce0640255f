"""The daily summary, the holidays and App Home's team week in the reader's language: the summary in the
channel's language wherever it is built, holiday names in the reader's language where the holidays package
writes them, a holiday marked in the team week, and every word of them from the catalog."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import AllocationPayload, WhitelistPayload
from app.domain.status import RequestStatus
from app.domain.words import said
from app.i18n import Language, reading_as
from app.services.calendar import WorkingDays
from app.services.queries import RequestDescription
from app.services.summary import Booking, DailySummary, PersonDay, ProjectDay, Waiting
from app.services.summary_text import render_summary_text
from app.services.team_week import PersonWeek, TeamWeek, holidays_in, week_grid, working_week
from app.slack.blocks.home import build_team_week
from app.slack.blocks.summary import build_summary_messages
from app.slack.readers import Readers
from app.slack.summary_poster import SlackSummaryPoster
from tests.factories import a_request
from tests.pseudo_locale import Screen, pseudo_reading, untranslated

MON = date(2026, 12, 7)
IMMACOLATA = date(2026, 12, 8)
ITALY = WorkingDays("IT")
WEEK = working_week(MON)
NAMES = ("Marta Gallo", "Paolo Neri", "Sara Conti", "Apollo Website", "Harbor Tower", "HT-1")


def _days(*offsets: int) -> tuple[date, ...]:
    return tuple(MON + timedelta(days=n) for n in offsets)


def _described(status: RequestStatus, i: int, amends: Amendment | None = None) -> RequestDescription:
    payload = AllocationPayload(person_id=1, project_id=2, dates=_days(0, 1, 2), hours=4)
    request = a_request(payload, id=f"r{i}", status=status, approvers=("U0PM",), amends=amends)
    return RequestDescription(request, "Marta Gallo", "Apollo Website", "")


def _amended(action: AmendAction, i: int) -> RequestDescription:
    previous = tuple(Placement(upstream_id=f"9{n}", day=d, hours=4) for n, d in enumerate(_days(0, 1, 2)))
    amendment = Amendment(action=action, of_request="r1", previous=previous, person_id=1)
    return _described(RequestStatus.DELIVERED, i, amendment)


def a_busy_day(day: date = MON, **fields: Any) -> DailySummary:
    """A day with every part of the summary: projects, people over a full day, someone free, deliveries,
    a rejection, a failure, an undo, a change, a whitelist and an approval waiting."""
    whitelist = a_request(
        WhitelistPayload(project_id=2, person_id=1), id="w1", status=RequestStatus.DELIVERED
    )
    parts: dict[str, Any] = {
        "projects": [
            ProjectDay("Harbor Tower", "HT-1", [Booking("Marta Gallo", 6), Booking("Paolo Neri", 4)])
        ],
        "people": [PersonDay("Marta Gallo", 10), PersonDay("Paolo Neri", 4)],
        "idle": ["Sara Conti"],
        "finished": [
            _described(RequestStatus.DELIVERED, 1),
            _described(RequestStatus.REJECTED, 2),
            _described(RequestStatus.FAILED, 3),
            _amended(AmendAction.UNDO, 4),
            _amended(AmendAction.CHANGE, 5),
            RequestDescription(whitelist, "Marta Gallo", "Apollo Website", ""),
        ],
        "pending": [Waiting(_described(RequestStatus.PENDING_APPROVAL, 6), timedelta(hours=30))],
    }
    return DailySummary(day=day, **(parts | fields))


def _shown(summary: DailySummary) -> str:
    top, thread = build_summary_messages(summary)
    return json.dumps([top.text, top.blocks, *((m.text, m.blocks) for m in thread)], ensure_ascii=False)


def test_the_summary_built_in_italian_reads_italian() -> None:
    with reading_as("it"):
        top, thread = build_summary_messages(a_busy_day())
        shown = _shown(a_busy_day())
        text = render_summary_text(a_busy_day())
    assert top.text == (
        "Staffing del lun 7 dic per l'azienda: 2 persone, 14 h · 1 oltre 8 h · 1 senza nulla di allocato · "
        "1 approvazione in attesa"
    )
    assert thread[0].text == "Dettagli dello staffing del lun 7 dic"
    for words in (
        "*La giornata di ciascuno*",
        "*Nulla di allocato (1)*",
        "*Completate dall'ultimo riepilogo (2)*",
        "*Rifiutate dall'ultimo riepilogo (1)*",
        "*Non riuscite dall'ultimo riepilogo (1)*",
        "*Revocate dall'ultimo riepilogo (1)*",
        "*Modificate dall'ultimo riepilogo (1)*",
        "Marta Gallo su Apollo Website: 4 h al giorno, lun 7 – mer 9 dic",
        "Marta Gallo su Apollo Website: aggiunto alla whitelist del timesheet",
        "in attesa di <@U0PM> da 1 g 6 h",
        ":warning: Oltre 8 h: Marta Gallo",
        "⚠ oltre 8 h",
    ):
        assert words in shown
    assert "Waiting" not in shown
    assert "since the last summary" not in shown
    assert text.startswith("Staffing del lun 7 dic per l'azienda: 2 persone, 14 h")
    assert "Per progetto:\n  Harbor Tower (HT-1): 10 h\n" in text
    assert "In attesa di approvazione (1):\n  Marta Gallo su Apollo Website: 4 h al giorno" in text


def test_an_empty_or_unread_day_and_a_pms_digest_read_italian() -> None:
    unread = DailySummary(
        day=MON,
        problems=[said("Wethod could not be read ({reason}), so the allocations are missing.", reason="503")],
    )
    with reading_as("it"):
        quiet_top, quiet_thread = build_summary_messages(DailySummary(day=MON))
        unread_top, _ = build_summary_messages(unread)
        digest_top, _ = build_summary_messages(DailySummary(day=MON, digest_for="U0PM"))
    assert quiet_top.text == "Staffing del lun 7 dic per l'azienda: nulla di allocato oggi"
    assert quiet_thread[0].blocks[0]["text"]["text"] == "Non c'è nulla di allocato e nulla in attesa."
    assert unread_top.text.endswith(": allocazioni sconosciute")
    assert ":warning: Non è stato possibile leggere Wethod (503), quindi mancano le allocazioni." in str(
        unread_top.blocks
    )
    assert digest_top.text.startswith("Staffing del lun 7 dic per i tuoi progetti")


def test_a_holiday_in_the_summary_is_named_in_the_readers_language() -> None:
    summary = a_busy_day(IMMACOLATA, holiday=ITALY.holiday(IMMACOLATA))
    english_top, _ = build_summary_messages(summary)
    with reading_as("it"):
        italian_top, _ = build_summary_messages(summary)
    assert ": a holiday (Immaculate Conception) · 2 people" in english_top.text
    assert "\\nA holiday (Immaculate Conception) · " in json.dumps(english_top.blocks, ensure_ascii=False)
    assert ": un giorno festivo (Immacolata Concezione) · 2 persone" in italian_top.text
    assert italian_top.text.startswith("Staffing del mar 8 dic")


@pytest.mark.parametrize(
    ("language", "immacolata", "christmas"),
    [("en", "Immaculate Conception", "Christmas Day"), ("it", "Immacolata Concezione", "Natale")],
)
def test_holiday_names_are_in_the_readers_language(
    language: Language, immacolata: str, christmas: str
) -> None:
    with reading_as(language):
        assert ITALY.holiday_name(IMMACOLATA) == immacolata
        assert ITALY.holidays_between(date(2026, 12, 1), date(2026, 12, 31)) == [
            (IMMACOLATA, immacolata),
            (date(2026, 12, 25), christmas),
        ]
    found = ITALY.holiday(IMMACOLATA)
    assert found is not None
    assert found.read_in(language) == immacolata
    assert ITALY.holiday_name(IMMACOLATA, language) == immacolata


def test_a_language_the_package_lacks_reads_the_countrys_own_and_a_set_language_stays() -> None:
    found = ITALY.holiday(IMMACOLATA)
    assert found is not None
    assert found.read_in("de") == "Immacolata Concezione"
    pinned = WorkingDays("IT", language="en")
    with reading_as("it"):
        assert pinned.holiday_name(IMMACOLATA) == "Immaculate Conception"
    assert WorkingDays("IT-RM").holiday_name(date(2026, 6, 29), "it") == "Santi Pietro e Paolo"
    assert ITALY.holiday(date(2026, 12, 9)) is None
    assert not ITALY.is_working(IMMACOLATA)


def _week_with_a_holiday(**fields: Any) -> TeamWeek:
    people = (PersonWeek("Marta Gallo", (8, 0, 8, 8, 8)), PersonWeek("Paolo Neri", (8, 0, 4, 8, 8)))
    return TeamWeek(WEEK, **({"people": people, "holidays": holidays_in(WEEK, ITALY)} | fields))


def test_the_team_week_marks_a_holiday_in_the_readers_language() -> None:
    assert list(holidays_in(WEEK, ITALY)) == [IMMACOLATA]
    assert holidays_in(WEEK, WorkingDays()) == {}
    english = json.dumps(build_team_week(_week_with_a_holiday()), ensure_ascii=False)
    with reading_as("it"):
        italian = json.dumps(build_team_week(_week_with_a_holiday()), ensure_ascii=False)
    assert ":palm_tree: Tue 8 Dec is a holiday (Immaculate Conception)" in english
    assert ":palm_tree: mar 8 dic è un giorno festivo (Immacolata Concezione)" in italian
    assert "Ore di questa settimana, lun 7 – ven 11 dic" in italian
    assert "holiday" not in json.dumps(build_team_week(TeamWeek(WEEK, _week_with_a_holiday().people)))


def test_the_team_weeks_reasons_and_unknown_people_read_italian() -> None:
    missing = said("Wethod is not set up in Staffdesk, so there are no hours to show.")
    unknown = week_grid(WEEK, [[], [], [], [], []], set(), {})
    assert unknown.people == ()
    with reading_as("it"):
        shown = json.dumps(build_team_week(TeamWeek(WEEK, missing=missing)), ensure_ascii=False)
        grid = json.dumps(
            build_team_week(TeamWeek(WEEK, (PersonWeek(said("Wethod person {id}", id="99"), (8,) * 5),))),
            ensure_ascii=False,
        )
    assert "Wethod non è configurato in Staffdesk, quindi non ci sono ore da mostrare." in shown
    assert "Persona Wethod 99" in grid


class FakeSlack:
    """The Web API calls the poster makes, recorded."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    async def conversations_open(self, users: str) -> dict[str, Any]:
        return {"channel": {"id": "D" + users}}

    async def chat_postMessage(self, **message: Any) -> dict[str, Any]:
        self.posted.append(message)
        return {"ts": f"1.{len(self.posted)}"}


class FakeLocales:
    def __init__(self, locales: dict[str, str]) -> None:
        self._locales = locales

    async def locale_of(self, slack_user_id: str) -> str | None:
        return self._locales.get(slack_user_id)


async def test_the_poster_writes_the_channel_in_its_language_and_a_digest_in_the_pms() -> None:
    slack = FakeSlack()
    poster = SlackSummaryPoster(slack, Readers(FakeLocales({"U0PM": "en-GB"}), "it"))  # type: ignore[arg-type]
    await poster.post("C0STAFFING", a_busy_day())  # in a background job: no reader is set
    channel = [m for m in slack.posted if m["channel"] == "C0STAFFING"]
    assert channel[0]["text"].startswith("Staffing del lun 7 dic per l'azienda")
    assert all(m["text"] == "Dettagli dello staffing del lun 7 dic" for m in channel[1:])
    await poster.post("U0PM", a_busy_day(digest_for="U0PM"))
    digest = [m for m in slack.posted if m["channel"] == "DU0PM"]
    assert digest[0]["text"].startswith("Staffing on Mon 7 Dec for your projects")
    english = FakeSlack()
    await SlackSummaryPoster(english).post("C0STAFFING", a_busy_day())  # type: ignore[arg-type]
    assert english.posted[0]["text"].startswith("Staffing on Mon 7 Dec for the company")


def _messages(summary: DailySummary) -> list[dict[str, Any]]:
    """Each message of the summary as Slack gets it: its text and its blocks."""
    top, thread = build_summary_messages(summary)
    return [{"text": m.text, "blocks": m.blocks} for m in (top, *thread)]


SCREENS = {
    "summary-busy": lambda: Screen(_messages(a_busy_day()), NAMES),
    "summary-text": lambda: Screen(
        "\n".join([build_summary_messages(a_busy_day())[0].text, render_summary_text(a_busy_day())]), NAMES
    ),
    "summary-holiday-unread": lambda: Screen(
        build_summary_messages(
            DailySummary(
                day=IMMACOLATA,
                holiday=ITALY.holiday(IMMACOLATA),
                problems=[said("Wethod is not configured, so there are no allocations to show.")],
                digest_for="U0PM",
            )
        )[0].blocks,
        ("Immacolata Concezione",),
    ),
    "summary-empty": lambda: Screen(_messages(DailySummary(day=MON))),
    "team-week-holiday": lambda: Screen(
        build_team_week(_week_with_a_holiday(left_out=2)),
        ("Marta Gallo", "Paolo Neri", "Immacolata Concezione"),
    ),
    "team-week-holiday-missing": lambda: Screen(
        build_team_week(_week_with_a_holiday(people=(), missing=said("Wethod did not answer in time."))),
        ("Immacolata Concezione",),
    ),
}


@pytest.mark.parametrize("name", SCREENS)
def test_every_word_of_the_summary_and_the_team_week_comes_from_the_catalog(name: str) -> None:
    with pseudo_reading("it"):
        screen = SCREENS[name]()
    assert untranslated(screen.shown, screen.data) == []
