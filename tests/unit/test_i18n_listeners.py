"""What the Slack listeners and the modal steps say, and the notes of the days-in-words parser, come from
the catalog: Italian for an Italian reader, English as before for everyone else, and nothing a person reads
skips the catalog (checked under a pseudo locale that puts every template in markers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace, TracebackType
from typing import cast

import pytest

from app.domain.directory import DirectoryProject
from app.domain.errors import StaffdeskError
from app.domain.upstreams import Upstream
from app.domain.when import read_days
from app.domain.words import said
from app.i18n import format_day, reading_as, render
from app.services.approvals import SeveralApproved, Submitted
from app.services.calendar import WorkingDays
from app.services.ports import UnitOfWorkFactory
from app.slack.blocks.common import when
from app.slack.blocks.inputs import Draft
from app.slack.deps import SlackDeps
from app.slack.forms import check_procore, with_when
from app.slack.ids import Action, Block
from app.slack.listeners.amending import undo_asked_text
from app.slack.listeners.approving import nothing_picked_view, several_title
from app.slack.listeners.home import not_set_up_view
from app.slack.listeners.options import no_match_option, project_option
from app.slack.listeners.views import error_text
from app.slack.modal_steps import people_in, person_in, sent_text, working_view
from app.slack.prefill import with_project
from app.slack.text import ALLOCATION, WHITELIST, Prefill, Takes, parse_command_text
from tests.factories import a_request
from tests.pseudo_locale import Screen, pseudo_reading, untranslated
from tests.snapshot_cases import ALLOCATION as ALLOCATION_PAYLOAD

TODAY = date(2026, 12, 1)  # a Tuesday
SATURDAY = date(2026, 12, 5)
ITALY = WorkingDays("IT", "en")
MOMENT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
APOLLO = DirectoryProject(upstream=Upstream.WETHOD, upstream_id="42", name="Apollo Website")
OLD_TOWER = DirectoryProject(upstream=Upstream.WETHOD, upstream_id="43", name="Old Tower", archived=True)


def _submitted(*, auto: bool, channel: str | None = "C0CHANNEL1", approvers: int = 1) -> Submitted:
    people = ("U0PM00001", "U0PM00002", "U0PM00003")[:approvers]
    return Submitted(a_request(ALLOCATION_PAYLOAD, channel_id=channel, approvers=people), auto_approved=auto)


def _sent(*, auto: bool, channel: str | None = "C0CHANNEL1") -> Screen:
    submitted = _submitted(auto=auto, channel=channel, approvers=2)
    return Screen(sent_text(submitted.request, submitted))


@dataclass
class _Links:
    """The identities port as `person_in` asks it: the e-mail and upstream id of each Slack user."""

    known: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    async def link(self, slack_user_id: str, upstream: Upstream) -> tuple[str | None, str | None]:
        return self.known.get(slack_user_id, (None, None))


def _deps(**known: tuple[str | None, str | None]) -> SlackDeps:
    approvals = SimpleNamespace(identities=_Links(dict(known)))
    return cast(SlackDeps, SimpleNamespace(approvals=approvals, enabled=(), missing={}))


async def _person_errors(slack_user_id: str | None, **known: tuple[str | None, str | None]) -> dict[str, str]:
    errors: dict[str, str] = {}
    await person_in(_deps(**known), slack_user_id, Upstream.WETHOD, errors)
    return errors


def _not_configured(missing: dict[Upstream, str]) -> str:
    deps = SimpleNamespace(enabled=(), missing=missing)
    problem = SlackDeps.not_configured(cast(SlackDeps, deps), Upstream.MISSIONX)
    assert problem is not None
    return problem


@dataclass
class _Directory:
    projects: list[DirectoryProject]

    async def search_projects(self, upstream: Upstream, query: str, *, limit: int) -> list[DirectoryProject]:
        words = query.lower().split()
        return [p for p in self.projects if all(w in p.name.lower() for w in words)][:limit]


@dataclass
class _Reading:
    """A read-only unit of work that only searches projects."""

    directory: _Directory

    async def __aenter__(self) -> _Reading:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def _projects(*projects: DirectoryProject) -> UnitOfWorkFactory:
    return cast(UnitOfWorkFactory, lambda: _Reading(_Directory(list(projects))))


async def _project_note(words: str, *projects: DirectoryProject) -> str:
    prefill = Prefill(project_words=tuple(words.split()))
    found, _ = await with_project(_projects(*projects), Upstream.WETHOD, prefill)
    (note,) = found.notes
    return note


def _notes(text: str, takes: Takes = ALLOCATION, today: date = TODAY) -> tuple[str, ...]:
    return parse_command_text(text, today, takes, locale="it-IT", calendar=ITALY).notes


def _holidays(first: int, last: int) -> list[str]:
    """The names of the Italian holidays from `first` to `last` December (data from the calendar)."""
    return [name for _, name in ITALY.holidays_between(date(2026, 12, first), date(2026, 12, last))]


def _when_errors(words: str, today: date = TODAY) -> list[str]:
    errors: dict[str, str] = {}
    with_when(Draft(texts={str(Action.WHEN): words}), today, "it-IT", errors)
    return list(errors.values())


def _procore_errors(too_long: str) -> dict[str, str]:
    texts = {str(Action.LAST_NAME): "Rossi", too_long: "x" * 300}
    return check_procore(Draft(texts=texts), APOLLO).errors


REFUSED_DAYS = [
    "31 nov",
    "32 dec",
    "dal 30 al 31 novembre",
    "next friday",
    "venerdì prossimo",
    "from monday",
    "dal 3 dicembre",
    "12/13",
]


def _day_note(phrase: str, locale: str | None = "it-IT", today: date = TODAY) -> Screen:
    read = read_days(phrase.split(), today, locale, format_day)
    assert read is not None
    assert read.note is not None
    return Screen(render(read.note), tuple(phrase.split()))


SCREENS: dict[str, Callable[[], Screen]] = {
    "sent-auto-in-channel": lambda: _sent(auto=True),
    "sent-auto-in-dms": lambda: _sent(auto=True, channel=None),
    "sent-for-approval-in-channel": lambda: _sent(auto=False),
    "sent-for-approval-in-dms": lambda: _sent(auto=False, channel="D0DIRECT1"),
    "working": lambda: Screen(working_view()),
    "undo-on-its-way": lambda: Screen(undo_asked_text(_submitted(auto=True))),
    "undo-asked-of-one": lambda: Screen(undo_asked_text(_submitted(auto=False))),
    "undo-asked-of-three": lambda: Screen(undo_asked_text(_submitted(auto=False, approvers=3))),
    "nothing-picked": lambda: Screen(nothing_picked_view()),
    "two-of-three-approved": lambda: Screen(
        several_title(SeveralApproved([a_request(ALLOCATION_PAYLOAD)] * 2, []), 3)
    ),
    "not-set-up": lambda: Screen(
        not_set_up_view(_not_configured({Upstream.MISSIONX: "MISSIONX_TOKEN"})),
        ("MissionX", "MISSIONX_TOKEN"),
    ),
    "not-set-up-no-settings-named": lambda: Screen(not_set_up_view(_not_configured({})), ("MissionX",)),
    "option-archived": lambda: Screen(project_option(OLD_TOWER), (OLD_TOWER.label,)),
    "option-no-match": lambda: Screen(no_match_option("zeppelin"), ("zeppelin",)),
    "option-nothing-yet": lambda: Screen(no_match_option(" ")),
    "when": lambda: Screen(when(MOMENT)),
    "command-notes": lambda: Screen(
        list(_notes("2026-12-07..2026-12-05 2026-12-32 tomorrow 2.5h 9h 3h")),
        ("2026-12-07..2026-12-05", "2026-12-32", "tomorrow", "2.5", "9", "3h"),
    ),
    "command-notes-no-hours-no-days": lambda: Screen(
        list(_notes("<@U0ANA> tomorrow 4h", WHITELIST)), ("tomorrow", "4h")
    ),
    "command-notes-holiday": lambda: Screen(list(_notes("8 dec")), ("8 dec", *_holidays(8, 8))),
    "command-notes-weekend-and-holiday": lambda: Screen(
        list(_notes("2026-12-25..2026-12-27")), ("2026-12-25..2026-12-27", *_holidays(25, 27))
    ),
    "command-notes-too-many-days": lambda: Screen(
        list(_notes("2026-01-05..2026-12-31")), ("2026-01-05..2026-12-31",)
    ),
    "command-notes-hours-too-few": lambda: Screen(list(_notes("0h")), ("0",)),
    "when-errors": lambda: Screen(_when_errors("next friday"), ("next", "friday")),
    "procore-errors": lambda: Screen(list(_procore_errors(Action.FIRST_NAME).values())),
    **{f"days-refused-{phrase}": (lambda phrase=phrase: _day_note(phrase)) for phrase in REFUSED_DAYS},
    "days-refused-this-week-at-the-weekend": lambda: _day_note("this week", today=SATURDAY),
    "days-refused-either-order": lambda: _day_note("3/12", locale=None),
    "days-refused-month-first": lambda: _day_note("13/12", locale="en-US"),
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_every_word_the_listeners_say_comes_from_the_catalog(name: str) -> None:
    with pseudo_reading("it"):
        screen = SCREENS[name]()
    assert untranslated(screen.shown, screen.data, "it") == []


@pytest.mark.parametrize(("phrase", "locale"), [*((p, "it-IT") for p in REFUSED_DAYS), ("3/12", None)])
def test_an_english_reader_reads_a_note_as_its_english_words(phrase: str, locale: str | None) -> None:
    read = read_days(phrase.split(), TODAY, locale, format_day)
    assert read is not None
    assert read.note is not None
    with reading_as("en-GB"):
        assert render(read.note) == str(read.note)


async def test_the_words_said_for_person_fields_are_in_the_readers_language() -> None:
    with reading_as("it-IT"):
        assert await _person_errors(None) == {Block.PERSON: "Scegli una persona."}
        missing = await _person_errors("U0ANA", U0ANA=("ana@acme.example", None))
        no_email = await _person_errors("U0ANA")
    assert missing == {
        Block.PERSON: "Nessuna persona di Wethod ha l'e-mail di questa persona (ana@acme.example). "
        "L'amministratore di Staffdesk può aggiungerla a Wethod."
    }
    assert no_email[Block.PERSON].startswith("Slack non condivide con Staffdesk")
    with reading_as("en"):
        assert await _person_errors("U0ANA", U0ANA=("ana@acme.example", None)) == {
            Block.PERSON: "No Wethod person has this person's e-mail (ana@acme.example). "
            "Your Staffdesk administrator can add them to Wethod."
        }


async def test_several_people_say_which_cannot_be_found_in_the_readers_language() -> None:
    errors: dict[str, str] = {}
    deps = _deps(U0ANA=("ana@acme.example", "7"))
    with reading_as("it"):
        assert await people_in(deps, Draft(user_id="U0ANA", more=("U0BOB",)), Upstream.WETHOD, errors) is None
    assert errors[Block.PERSON].startswith("Una delle persone scelte non si trova. Slack non condivide")


def test_where_to_follow_a_request_is_said_in_italian() -> None:
    with reading_as("it-IT"):
        auto = _sent(auto=True, channel=None).shown
        asked = _sent(auto=False).shown
        working = json.dumps(working_view(), ensure_ascii=False)
    assert auto == (
        ":white_check_mark: Puoi farlo in autonomia, quindi è approvata. Seguila nei tuoi messaggi diretti."
    )
    assert asked == (
        ":incoming_envelope: Inviata a <@U0PM00001> o <@U0PM00002> per l'approvazione. "
        "Seguila in <#C0CHANNEL1>."
    )
    assert "Invio in corso…" in working
    assert "Staffdesk sta verificando" in working


def test_english_where_to_follow_a_request_stays_as_it_was() -> None:
    assert _sent(auto=False, channel=None).shown == (
        ":incoming_envelope: Sent to <@U0PM00001> or <@U0PM00002> for approval. Follow it in your DMs."
    )
    assert _sent(auto=True).shown == (
        ":white_check_mark: You may do this yourself, so it is approved. Follow it in <#C0CHANNEL1>."
    )


def test_an_undo_asked_of_approvers_follows_the_plural_of_each_language() -> None:
    assert "<@U0PM00001> is asked." in undo_asked_text(_submitted(auto=False))
    assert "<@U0PM00001> or <@U0PM00002> are asked." in undo_asked_text(_submitted(auto=False, approvers=2))
    with reading_as("it"):
        said_in_italian = undo_asked_text(_submitted(auto=False, approvers=2))
        title = several_title(SeveralApproved([a_request(ALLOCATION_PAYLOAD)], []), 3)
        titles = several_title(SeveralApproved([a_request(ALLOCATION_PAYLOAD)] * 2, []), 3)
    assert "è stata chiesta a <@U0PM00001> o <@U0PM00002>" in said_in_italian
    assert (title, titles) == ("1 di 3 approvata", "2 di 3 approvate")
    assert several_title(SeveralApproved([], []), 2) == "0 of 2 approved"


def test_option_loads_speak_the_readers_language() -> None:
    with reading_as("it-IT"):
        archived = project_option(OLD_TOWER)["text"]["text"]
        nothing = no_match_option("zeppelin")["text"]["text"]
        empty = no_match_option("")["text"]["text"]
    assert (archived, nothing, empty) == (
        "Old Tower (archiviato)",
        "Nessun progetto corrisponde a “zeppelin”",
        "Ancora nessun progetto da scegliere",
    )
    assert project_option(OLD_TOWER)["text"]["text"] == "Old Tower (archived)"
    assert project_option(APOLLO)["text"]["text"] == "Apollo Website"


def test_a_system_not_set_up_is_said_in_italian() -> None:
    with reading_as("it"):
        problem = _not_configured({Upstream.MISSIONX: "MISSIONX_TOKEN"})
        view = not_set_up_view(problem)
    assert (
        problem
        == "MissionX non è ancora configurato in Staffdesk. Un amministratore deve impostare MISSIONX_TOKEN."
    )
    assert view["title"]["text"] == "Non configurato"
    assert _not_configured({}) == (
        "MissionX is not set up in Staffdesk yet. An administrator needs to set its settings."
    )


def test_a_slack_date_says_at_in_the_readers_language() -> None:
    stamp = int(MOMENT.timestamp())
    with reading_as("it"):
        italian = when(MOMENT)
    assert italian == f"<!date^{stamp}^{{date_short_pretty}} alle {{time}}|2026-12-01 09:30 UTC>"
    assert when(MOMENT) == f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|2026-12-01 09:30 UTC>"


def test_what_a_command_text_held_that_the_form_refuses_is_said_in_italian() -> None:
    with reading_as("it-IT"):
        notes = _notes("9h 8 dec")
        whitelist = _notes("domani 4h", WHITELIST)
    (holiday,) = _holidays(8, 8)
    assert notes == (
        "9 h sono più di 8 (le ore sono da 1 a 8 al giorno), quindi le ore le inserisci tu",
        f"“8 dec” non ha giorni lavorativi (mar 8 dic è festivo: {holiday}), quindi i giorni li inserisci tu",
    )
    assert whitelist == ("“domani”: questo modulo non ha giorni", "“4h”: questo modulo non ha ore")


async def test_a_project_the_command_names_is_looked_up_and_said_in_italian() -> None:
    with reading_as("it"):
        nothing = await _project_note("zeppelin", APOLLO)
        archived = await _project_note("old tower", APOLLO, OLD_TOWER)
    assert nothing == "nessun progetto corrisponde a “zeppelin”"
    assert archived == "“old tower” trova solo progetti archiviati, quindi il progetto lo scegli tu"
    assert await _project_note("zeppelin", APOLLO) == "no project matches “zeppelin”"


def test_an_italian_reader_gets_the_notes_of_the_days_in_words_in_italian() -> None:
    with reading_as("it-IT"):
        friday = _day_note("next friday").shown
        no_last = _day_note("dal 3 dicembre").shown
        weekend = _day_note("this week", today=SATURDAY).shown
        order = _day_note("13/12", locale="en-US").shown
        errors = _when_errors("venerdì prossimo")
    assert friday == "“next friday” può essere ven 4 dic o ven 11 dic; scrivi la data, ad esempio “4 dic”"
    assert no_last == (
        "“dal 3 dicembre” dice il primo giorno ma non l'ultimo; scrivili entrambi, ad esempio “3..5 dic” "
        "o “dal lun al mer”"
    )
    assert weekend == (
        "“this week” non ha più giorni lavorativi (è il fine settimana); prova con “prossima settimana”"
    )
    assert (
        order == "“13/12” non è una data (letta come mese/giorno, come scrive le date la tua lingua di Slack)"
    )
    assert errors == [
        "“venerdì prossimo” può essere ven 4 dic o ven 11 dic; scrivi la data, ad esempio “4 dic”. Prova con "
        "“prossima settimana”, “dal lun al mer” o “3 dic”, oppure scegli le date."
    ]


def test_a_date_that_could_be_either_order_names_its_months_in_the_readers_language() -> None:
    with reading_as("it"):
        either = _day_note("3/12", locale=None).shown
    assert either == "“3/12” può essere 3 dicembre o 12 marzo; scrivi il mese in lettere, ad esempio “3 dec”"
    assert _day_note("3/12", locale=None).shown == (
        "“3/12” could be 3 December or 12 March; write the month in letters, such as “3 dec”"
    )


def test_the_examples_to_type_are_what_the_parser_reads() -> None:
    for typed in ("4 dic", "3..5 dic", "dal lun al mer", "prossima settimana", "4 dec", "mon to wed"):
        assert read_days(typed.split(), TODAY, "it-IT") is not None, typed
        assert read_days(typed.split(), TODAY, "it-IT").note is None  # type: ignore[union-attr]


def test_a_refused_decision_is_said_next_to_its_field_in_the_readers_language() -> None:
    with reading_as("it"):
        assert error_text(StaffdeskError(said("Check this request."))) == "Controlla questa richiesta."
    assert error_text(StaffdeskError(said("Check this request."))) == "Check this request."


def test_a_procore_field_too_long_is_said_in_italian() -> None:
    with reading_as("it"):
        errors = _procore_errors(Action.JOB_TITLE)
    assert errors == {Block.JOB_TITLE: "La qualifica è troppo lunga."}


def test_every_screen_has_words_of_its_own() -> None:
    """The screens checked above say something from the catalog, so an empty screen cannot pass for one."""
    for name, screen in SCREENS.items():
        with pseudo_reading("it"):
            shown = json.dumps(screen().shown, ensure_ascii=False)
        assert "⟦" in shown, name
