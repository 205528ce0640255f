"""What came of a delivery and what a request asks are said once, below the Slack layer, and read by each
reader in their own language: the outcome kept in the database says its words as catalog messages, an
outcome kept before it did still shows its sentence as it was, and a description built once reads right
in Italian and in English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import TypeAdapter

from app.clients.errors import (
    Conflict,
    ConnectionFailed,
    FieldError,
    Forbidden,
    InvalidData,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.clients.retry import Created
from app.domain.outcomes import (
    AlreadyDone,
    Delivered,
    DeliveryOutcome,
    FieldFailure,
    NeedsOperator,
    Refused,
    RetryLater,
    summary_of,
)
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import (
    AllocationPayload,
    MissionXPermission,
    MissionXProjectPersonPayload,
    MissionXRateTime,
    ProcoreProjectPersonPayload,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.domain.upstreams import Upstream
from app.domain.words import Said, Value, english, said
from app.i18n import reading_as, render
from app.integrations.missionx import MissionXPersonProvisioner
from app.integrations.outcomes import outcome_for_error
from app.integrations.procore import ProcorePersonProvisioner
from app.integrations.wethod import WethodWhitelistProvisioner, _allocation_outcome, allocated
from app.integrations.wethod_amend import _Effects
from app.services.queries import _listed, missionx_details, request_details
from app.slack.blocks.amends import build_amended_reply
from app.slack.blocks.messages import build_outcome_reply, request_summary
from app.slack.blocks.requester import build_operator_message, build_outcome_dm
from tests.factories import a_request
from tests.pseudo_locale import Screen, pseudo_reading, untranslated
from tests.snapshot_cases import DONE_AT, decided, delivered_as, described

OUTCOME = TypeAdapter[DeliveryOutcome](DeliveryOutcome)
DAYS = (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3))
ALLOCATION = AllocationPayload(person_id=7, project_id=42, dates=DAYS, hours=4)
OFF = (
    "nota: la whitelist del timesheet del progetto è disattivata in Wethod, quindi vale solo quando verrà "
    "attivata."
)


def italian(value: Value) -> str:
    with reading_as("it-IT"):
        return render(value)


def kept(outcome: DeliveryOutcome) -> DeliveryOutcome:
    """`outcome` as it comes back from the database: dumped to JSON, read again."""
    return OUTCOME.validate_json(OUTCOME.dump_json(outcome))


def told(outcome: DeliveryOutcome) -> Said:
    if isinstance(outcome, RetryLater | NeedsOperator):
        return outcome.said_reason
    return outcome.said_summary


@pytest.mark.parametrize(
    ("error", "english_text", "italian_text"),
    [
        (
            InvalidData("Wethod", "invalid", [FieldError("hours", "too many")]),
            "Wethod refused the request.",
            "Wethod ha rifiutato la richiesta.",
        ),
        (NotFound("Wethod", "gone", status=404), "Wethod could not find it.", "Wethod non l'ha trovato."),
        (
            Conflict("Wethod", "exists", status=409),
            "Wethod reports a conflict.",
            "Wethod segnala un conflitto.",
        ),
        (
            Unauthorized("Wethod", "no", status=401),
            "Wethod refused Staffdesk's credentials.",
            "Wethod ha rifiutato le credenziali di Staffdesk.",
        ),
        (
            Forbidden("Wethod", "no", status=403),
            "The Wethod account Staffdesk uses is not allowed to do this.",
            "L'account Wethod usato da Staffdesk non ha il permesso di farlo.",
        ),
        (
            PreconditionFailed("Wethod", "no", status=412),
            "Wethod refused the company or API version Staffdesk sent.",
            "Wethod ha rifiutato l'azienda o la versione dell'API inviate da Staffdesk.",
        ),
        (
            RateLimited("Wethod", "slow", retry_after=3),
            "Wethod asked Staffdesk to slow down.",
            "Wethod ha chiesto a Staffdesk di rallentare.",
        ),
        (
            ServerError("Wethod", "down", status=503),
            "Wethod is having trouble (it answered 503).",
            "Wethod ha dei problemi (ha risposto 503).",
        ),
        (
            ConnectionFailed("Wethod", "refused"),
            "Wethod could not be reached.",
            "Wethod non è raggiungibile.",
        ),
        (
            UpstreamError("Wethod", "odd", status=418),
            "Wethod gave an unexpected answer (418).",
            "Wethod ha dato una risposta inattesa (418).",
        ),
        (
            UpstreamError("Wethod", "odd"),
            "Wethod gave an unexpected answer.",
            "Wethod ha dato una risposta inattesa.",
        ),
    ],
)
def test_what_an_upstreams_error_came_to_is_kept_in_english_and_read_in_italian(
    error: UpstreamError, english_text: str, italian_text: str
) -> None:
    outcome = kept(outcome_for_error(error, Upstream.WETHOD))
    assert english(told(outcome)) == english_text
    assert getattr(outcome, "summary", getattr(outcome, "reason", None)) == english_text
    assert italian(told(outcome)) == italian_text


def test_staffdesks_own_word_for_a_missing_project_is_italian_and_the_upstreams_own_words_are_kept() -> None:
    missing = kept(outcome_for_error(NotFound("Wethod", "gone", status=404), Upstream.WETHOD))
    assert isinstance(missing, Refused)
    (failure,) = missing.failures
    assert failure.message == "Wethod has no such project, or it is not visible to Staffdesk."
    assert italian(failure.said_message) == "Wethod non ha questo progetto, oppure Staffdesk non può vederlo."

    error = InvalidData("Wethod", "invalid", [FieldError("hours", "Hours must be at most 8.")])
    refused = kept(outcome_for_error(error, Upstream.WETHOD, context=said("change")))
    assert isinstance(refused, Refused)
    assert [italian(f.said_message) for f in refused.failures] == ["modifica: Hours must be at most 8."]


def test_an_allocation_says_its_hours_days_and_people_in_the_readers_language() -> None:
    one_day = ALLOCATION.model_copy(update={"dates": DAYS[:1]})
    two = ALLOCATION.model_copy(update={"also": (8,)})
    assert italian(allocated(ALLOCATION)) == "Allocate 4 h al giorno per 3 giorni in Wethod."
    assert italian(allocated(one_day)) == "Allocate 4 h al giorno per 1 giorno in Wethod."
    assert (
        italian(allocated(two)) == "Allocate 4 h al giorno per 3 giorni a ciascuna delle 2 persone in Wethod."
    )
    assert english(allocated(two)) == "Allocated 4 h a day for 3 days to each of 2 people in Wethod."

    refused = Refused(
        failures=(FieldFailure(field="hours", message="on leave"),), summary="Wethod refused it."
    )
    partly = kept(_allocation_outcome(two, (), {8: refused}, all_found=False))
    assert partly.summary == "Wethod refused 1 of the 2 people; the others are allocated."  # type: ignore[union-attr]
    assert italian(told(partly)) == "Wethod ha rifiutato 1 delle 2 persone; le altre sono allocate."


class _FakeWethod:
    """The two calls a whitelist entry makes; `exists` answers the entry with a 409."""

    def __init__(self, *, exists: bool, whitelist_on: bool) -> None:
        self.exists, self.whitelist_on = exists, whitelist_on

    async def add_timesheet_whitelist(self, project_id: int, person_id: int, *, look_first: bool) -> Any:
        if self.exists:
            raise Conflict("Wethod", "already there", status=409)
        return Created(SimpleNamespace(id=55), recovered=False)

    async def get_project(self, project_id: int) -> Any:
        return SimpleNamespace(is_timesheet_whitelist_enabled=self.whitelist_on)


@pytest.mark.parametrize(
    ("exists", "whitelist_on", "italian_text"),
    [
        (False, True, "Aggiunto alla whitelist del timesheet del progetto in Wethod."),
        (False, False, f"Aggiunto alla whitelist del timesheet del progetto in Wethod; {OFF}"),
        (True, True, "La persona era già nella whitelist del timesheet del progetto."),
        (True, False, f"La persona era già nella whitelist del timesheet del progetto; {OFF}"),
    ],
)
async def test_a_whitelist_entry_and_its_note_are_read_in_italian(
    exists: bool, whitelist_on: bool, italian_text: str
) -> None:
    client: Any = _FakeWethod(exists=exists, whitelist_on=whitelist_on)
    request = a_request(WhitelistPayload(project_id=42, person_id=7))
    outcome = kept(await WethodWhitelistProvisioner(client).provision(request, attempt=1))
    assert isinstance(outcome, Delivered | AlreadyDone)
    assert italian(outcome.said_summary) == italian_text


async def test_a_person_added_to_missionx_or_procore_is_told_in_italian() -> None:
    class FakeMissionX:
        async def add_project_person(self, project_id: str, new: Any, *, look_first: bool) -> Any:
            return Created(SimpleNamespace(id="p1"), recovered=False)

    class FakeProcore:
        async def create_project_person(self, project_id: int, new: Any, **_: Any) -> Any:
            return Created(SimpleNamespace(id=9), recovered=True)

    missionx: Any = FakeMissionX()
    procore: Any = FakeProcore()
    mx = MissionXProjectPersonPayload(
        project_id="a" * 24, email="ana@acme.example", permission=MissionXPermission.MANAGER
    )
    pc = ProcoreProjectPersonPayload(project_id=9, last_name="Rossi", first_name="Luca")
    added = kept(await MissionXPersonProvisioner(missionx).provision(a_request(mx), attempt=1))
    again = kept(await ProcorePersonProvisioner(procore).provision(a_request(pc), attempt=2))
    assert isinstance(added, Delivered)
    assert isinstance(again, AlreadyDone)
    assert added.summary == "ana@acme.example was added to the MissionX project with manager access."
    assert (
        italian(added.said_summary)
        == "ana@acme.example è stato aggiunto al progetto MissionX con accesso da manager."
    )
    assert italian(again.said_summary) == "Luca Rossi è stato aggiunto alle persone del progetto Procore."


def test_an_undo_that_found_days_gone_or_changed_says_which_in_italian() -> None:
    effects = _Effects(2026, 1)
    effects.removed.append(Placement(upstream_id="1", day=DAYS[0], hours=4))
    effects.gone.append(Placement(upstream_id="2", day=DAYS[1], hours=4))
    effects.left.append((Placement(upstream_id="3", day=DAYS[2], hours=4), 6))
    done = said("Nothing deleted.")
    outcome = kept(effects.outcome(done))
    assert outcome.summary == (  # type: ignore[union-attr]
        "Nothing deleted. Already gone from Wethod: Wed 2 Dec. Left as they are, because they were changed "
        "in Wethod since: Thu 3 Dec has 6 h, not the 4 h Staffdesk made. See to them in Wethod."
    )
    assert italian(told(outcome)) == (
        "Nulla eliminato. Già rimosse da Wethod: mer 2 dic. Lasciate come sono, perché nel frattempo sono "
        "state modificate in Wethod: gio 3 dic ha 6 h, non le 4 h create da Staffdesk. Controllale in Wethod."
    )


def test_an_outcome_kept_before_its_words_were_kept_still_loads_and_shows_its_sentence() -> None:
    old = {
        "outcome": "delivered",
        "upstream_ids": ["901"],
        "summary": "Allocated 4 h a day for 3 days in Wethod.",
    }
    outcome = OUTCOME.validate_python(old)
    assert isinstance(outcome, Delivered)
    assert outcome.summary_words is None
    assert italian(outcome.said_summary) == "Allocated 4 h a day for 3 days in Wethod."
    assert outcome.model_dump(mode="json") == old | {"placed": [], "removed": [], "left": []}
    retry = OUTCOME.validate_python({"outcome": "retry_later", "reason": "Wethod could not be reached."})
    assert italian(told(retry)) == "Wethod could not be reached."
    assert italian(summary_of(old)) == "Allocated 4 h a day for 3 days in Wethod."

    desc = delivered_as(outcome, RequestStatus.DELIVERED)
    with reading_as("it-IT"):
        reply = build_outcome_reply(desc, outcome, upstream="Wethod", next_attempt_at=None)
    assert reply.text == ":tada: Fatto: Allocated 4 h a day for 3 days in Wethod. (id Wethod 901)"


def test_an_amended_requests_reply_reads_the_undos_kept_words_in_the_readers_language() -> None:
    undo = Amendment(
        action=AmendAction.UNDO,
        of_request="r-original",
        previous=tuple(Placement(upstream_id=f"90{i}", day=d, hours=4) for i, d in enumerate(DAYS)),
        person_id=7,
    )
    effects = _Effects(2026, 1)
    deleted = effects.outcome(said("Taken off the project's timesheet whitelist in Wethod."))
    asked = described(amends=undo).request.model_copy(
        update={
            "status": RequestStatus.DELIVERED,
            "updated_at": DONE_AT,
            "result": deleted.model_dump(mode="json"),
        }
    )
    original = delivered_as(deleted, RequestStatus.DELIVERED)
    original = replace(
        original, request=original.request.model_copy(update={"amended_by": asked.id}), amended_by=asked
    )
    with reading_as("it-IT"):
        reply = build_amended_reply(original)
    assert reply is not None
    assert "Tolto dalla whitelist del timesheet del progetto in Wethod." in reply.text
    assert "Taken off" not in reply.text


def test_one_description_reads_right_in_italian_and_in_english() -> None:
    desc = described()
    with reading_as("en"):
        in_english = request_summary(desc)
    with reading_as("it-IT"):
        in_italian = request_summary(desc)
    assert in_english.endswith("\n4 h a day, Tue 1 – Thu 3 Dec (3 days)")
    assert in_italian.endswith("\n4 h al giorno, mar 1 – gio 3 dic (3 giorni)")
    assert "*Marta Gallo*" in in_italian
    assert "*Harbor Tower (HT-1)*" in in_italian


def test_what_an_undo_or_a_change_asks_reads_in_italian() -> None:
    previous = tuple(Placement(upstream_id=f"90{i}", day=d, hours=4) for i, d in enumerate(DAYS))
    undo = a_request(
        ALLOCATION, amends=Amendment(action=AmendAction.UNDO, of_request="r-0", previous=previous)
    )
    changed = ALLOCATION.model_copy(update={"hours": 6, "dates": DAYS[:2]})
    change = a_request(
        changed, amends=Amendment(action=AmendAction.CHANGE, of_request="r-0", previous=previous)
    )
    assert english(request_details(undo)) == "deletes 4 h a day, Tue 1 – Thu 3 Dec (3 allocations)"
    assert italian(request_details(undo)) == "elimina 4 h al giorno, mar 1 – gio 3 dic (3 allocazioni)"
    assert (
        english(request_details(change))
        == "6 h a day, Tue 1 – Wed 2 Dec (2 days), instead of 4 h a day, Tue 1 – Thu 3 Dec"
    )
    assert italian(request_details(change)) == (
        "6 h al giorno, mar 1 – mer 2 dic (2 giorni), invece di 4 h al giorno, mar 1 – gio 3 dic"
    )
    whitelist = a_request(
        WhitelistPayload(project_id=42, person_id=7),
        amends=Amendment(action=AmendAction.UNDO, of_request="r-0", previous=(Placement(upstream_id="5"),)),
    )
    assert (
        italian(request_details(whitelist)) == "toglie la persona dalla whitelist del timesheet del progetto"
    )


def test_people_roles_and_rates_are_listed_in_the_readers_words_and_numbers() -> None:
    assert (
        italian(_listed(["Marta Gallo", "Paolo Neri", "Sara Conti"]))
        == "Marta Gallo, Paolo Neri e Sara Conti"
    )
    assert english(_listed(["Marta Gallo", "Paolo Neri"])) == "Marta Gallo and Paolo Neri"
    assert _listed(["Marta Gallo"]) == "Marta Gallo"
    payload = MissionXProjectPersonPayload(
        project_id="a" * 24,
        email="ana@acme.example",
        permission=MissionXPermission.MANAGER,
        role_title="Site engineer",
        is_project_manager=True,
        rate=1200,
        rate_time=MissionXRateTime.HOURLY,
    )
    assert italian(missionx_details(payload)) == (
        "accesso da manager, compiti da project manager, Site engineer, tariffa 1.200 all'ora"
    )
    assert english(missionx_details(payload)).endswith("rate 1200 per hour")
    with reading_as("en"):
        shown = render(missionx_details(payload))
    assert shown == "manager access, project manager duties, Site engineer, rate 1,200 per hour"
    nobody = a_request(ProcoreProjectPersonPayload(project_id=9, last_name="Rossi"))
    someone = a_request(ProcoreProjectPersonPayload(project_id=9, last_name="Rossi", employee_id="E-1"))
    assert italian(request_details(nobody)) == "nessuna qualifica indicata"
    assert italian(request_details(someone)) == "matricola E-1"


def _outcome_screen(
    outcome: DeliveryOutcome, status: RequestStatus, final: bool, more: tuple[str, ...] = ()
) -> Screen:
    desc = delivered_as(kept(outcome), status)
    reply = build_outcome_reply(desc, kept(outcome), upstream="Wethod", next_attempt_at=DONE_AT)
    dm = build_outcome_dm(desc, kept(outcome), upstream="Wethod", final=final, operators_told=final)
    shown = [{"text": m.text, "blocks": m.blocks} for m in (reply, dm) if m is not None]
    title = (desc.title,) if isinstance(desc.title, str) else ()
    return Screen(shown, ("Wethod", "Marta Gallo", "Harbor Tower (HT-1)", *title, *more))


def _operators_screen() -> Screen:
    outcome = kept(outcome_for_error(Unauthorized("Wethod", "no", status=401), Upstream.WETHOD))
    assert isinstance(outcome, NeedsOperator)
    desc = delivered_as(outcome, RequestStatus.APPROVED)
    message = build_operator_message(desc, outcome, upstream="Wethod")
    title = (desc.title,) if isinstance(desc.title, str) else ()
    return Screen({"text": message.text, "blocks": message.blocks}, ("Wethod", "WETHOD_TOKEN", *title))


SCREENS = {
    "delivered": lambda: _outcome_screen(
        Delivered(upstream_ids=("901", "902", "903"), summary=allocated(ALLOCATION)),
        RequestStatus.DELIVERED,
        True,
    ),
    "refused-field": lambda: _outcome_screen(
        outcome_for_error(
            InvalidData("Wethod", "invalid", [FieldError("hours", "Too many hours.")]),
            Upstream.WETHOD,
            context=said("change"),
        ),
        RequestStatus.FAILED,
        True,
        ("hours", "Too many hours."),
    ),
    "refused-project": lambda: _outcome_screen(
        outcome_for_error(NotFound("Wethod", "gone", status=404), Upstream.WETHOD),
        RequestStatus.FAILED,
        True,
        ("project",),
    ),
    "retry": lambda: _outcome_screen(
        outcome_for_error(ServerError("Wethod", "down", status=503), Upstream.WETHOD),
        RequestStatus.APPROVED,
        False,
    ),
    "retry-final": lambda: _outcome_screen(
        outcome_for_error(ConnectionFailed("Wethod", "down"), Upstream.WETHOD), RequestStatus.FAILED, True
    ),
    "operators": _operators_screen,
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_every_word_of_an_outcome_in_a_thread_or_a_dm_comes_from_the_catalog(name: str) -> None:
    with pseudo_reading():
        screen = SCREENS[name]()
    assert untranslated(screen.shown, screen.data) == []


def test_the_pseudo_locale_check_finds_words_that_skipped_the_catalog() -> None:
    """The checks here fail for a description whose details were written in English below the Slack layer."""
    in_english = replace(decided(RequestStatus.APPROVED), details="4 h a day, Tue 1 – Thu 3 Dec")
    with pseudo_reading():
        shown = request_summary(in_english)
    title = (in_english.title,) if isinstance(in_english.title, str) else ()
    assert untranslated(shown, ("Marta Gallo", "Harbor Tower (HT-1)", *title)) != []


def test_a_description_in_a_dm_under_the_pseudo_locale_has_no_word_outside_the_catalog() -> None:
    desc = replace(
        decided(RequestStatus.APPROVED),
        people={"7": said("{upstream} person {id}", upstream="Wethod", id="7")},
    )
    with pseudo_reading():
        shown = request_summary(desc)
    title = (desc.title,) if isinstance(desc.title, str) else ()
    assert untranslated(shown, ("Marta Gallo", "Harbor Tower (HT-1)", *title)) == []
