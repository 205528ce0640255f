"""Every error a person reads, and the words the rules give them, come from the catalog: each is read in
English as it always was, in Italian, and under a pseudo locale where nothing but the data given may be
outside the catalog's markers."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any, cast

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck

from app.domain.amends import title_of, why_not_amendable
from app.domain.errors import (
    AlreadyAmended,
    ArchivedProject,
    DuplicateSubmission,
    IllegalTransition,
    NoApprover,
    NotAllowed,
    NotLess,
    NoUpstreamPerson,
    ReasonRequired,
    RequestExpired,
    RequestMovedOn,
    RequestNotFound,
    StaffdeskError,
    StorageUnavailable,
    UnknownProject,
    UpstreamUnavailable,
    plain,
)
from app.domain.outcomes import AlreadyDone, Delivered, NeedsOperator
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestKind,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.domain.words import Said, Value, english
from app.i18n import Language, reading_as, render
from app.policy.model import Member, MemberKind, Permission, permissions_in_words
from app.services.absences import go_away
from app.services.amendments import change_request, undo_request
from app.services.approvals import (
    _duration,
    approve_request,
    approve_with_changes,
    cancel_request,
    submit_request,
)
from app.services.approvers import ApprovalContext
from app.services.identity import Identities
from app.services.routing import ProvisionerByKind
from app.slack.errors import error_markup, keep_the_form, user_text
from app.slack.locale import markup
from app.slack.metadata import FormNotVerified
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import (
    ARCHIVE,
    MX_PROJECT,
    FakeSlackPeople,
    allocation,
    context,
    policy,
    seed_directory,
    whitelist,
)
from tests.conftest import FakeClock
from tests.factories import a_request
from tests.pseudo_locale import pseudo_reading, untranslated

S = RequestStatus
DAYS = tuple(date(2026, 12, d) for d in (14, 15, 16))
ALLOCATION = AllocationPayload(person_id=7, project_id=42, dates=DAYS, hours=4)
PLACED = tuple(Placement(upstream_id=str(900 + i), day=d, hours=4) for i, d in enumerate(DAYS))
RITA, RESOURCING = (
    Member(kind=MemberKind.SLACK_USER, value="U0RITA"),
    Member(kind=MemberKind.USERGROUP, value="resourcing"),
)
_MENTION = re.compile(r"<@([A-Z0-9]+)>")

Shown = StaffdeskError | Said


@dataclass(frozen=True)
class Case:
    """Words for a person: as English markup (mentions as Slack writes them), a part of their Italian
    markup, and the data in them that is not the catalog's."""

    words: Shown
    english: str
    italian: str
    data: tuple[str, ...] = ()


def delivered(payload: object = ALLOCATION, **fields: object) -> StaffingRequest:
    outcome = Delivered(upstream_ids=tuple(p.upstream_id for p in PLACED), summary="done")
    values: dict[str, object] = {"status": S.DELIVERED, "result": outcome.model_dump(mode="json")} | fields
    return a_request(cast(Any, payload), **values)


def amendment(action: AmendAction, payload: object = ALLOCATION) -> StaffingRequest:
    amends = Amendment(action=action, of_request="req-0", previous=PLACED, person_id=7)
    return a_request(cast(Any, payload), status=S.PENDING_APPROVAL, amends=amends)


def outside_the_catalog(
    texts: tuple[str, ...], data: tuple[str, ...], language: Language = "it"
) -> list[str]:
    """What each of `texts` (built under `pseudo_reading`) has outside the catalog but `data`."""
    return [left for text in texts for left in untranslated(text, data, language)]


def shown(words: Shown) -> str:
    """What a person reads in Slack."""
    return error_markup(words) if isinstance(words, StaffdeskError) else markup(words)


def plain_text(words: Shown) -> str:
    """What a person reads as plain text, next to a form's field."""
    return user_text(words)[0] if isinstance(words, StaffdeskError) else render(words)


def in_english(words: Shown) -> str:
    """The words in the catalog's own language, as the logs have them."""
    return plain(words.words) if isinstance(words, StaffdeskError) else english(words)


def narrowed(dates: tuple[date, ...], hours: int) -> NotLess:
    with pytest.raises(NotLess) as raised:
        ALLOCATION.narrowed(dates, hours)
    return raised.value


def whom(*fallback: Member, asker: str | None = None) -> Value:
    unused = cast(Any, None)
    rules = policy(fallback=fallback)
    ctx = ApprovalContext(unused, cast(Identities, unused), FakeSlackPeople(), rules, FakeClock(), UTC)
    return ctx.whom_to_ask(asker)


def no_upstream_person(email: str | None, *fallback: Member) -> NoUpstreamPerson:
    return NoUpstreamPerson("MissionX", email, whom(*fallback))


def no_approver(*fallback: Member) -> NoApprover:
    needed = permissions_in_words([Permission.PLANNING_MODIFY_OTHER, Permission.PLANNING_MODIFY_PAST])
    return NoApprover(needed, whom(*fallback))


def why(request: StaffingRequest, action: AmendAction) -> Said:
    said = why_not_amendable(request, action)
    assert said is not None
    return said


EXPIRED = (
    "This request waited {waited} without a decision and has expired, so nothing was changed. The "
    "requester can send it again if it is still needed."
)
NO_APPROVER = (
    "No one in Slack may approve this request: it needs someone who may plan people on projects run by "
    "others, nor change the planning of today or past days (planning.modify_other, "
    "planning.modify_past), and neither the project's managers nor the policy's fallback approvers may; "
    "{ask} can change who may approve."
)
MANAGE = (
    "so Staffdesk cannot tell whether you manage this project; {ask} can add you to MissionX, or give you "
    "the permission for other people's projects."
)
CASES: dict[str, Callable[[], Case]] = {
    "form-not-verified": lambda: Case(
        FormNotVerified(),
        "This form could not be verified; close it and open it again.",
        "Non è stato possibile verificare questo modulo; chiudilo e aprilo di nuovo.",
    ),
    "not-less-no-day": lambda: Case(
        narrowed((), 4),
        "Keep at least one day, or reject the request instead.",
        "Tieni almeno un giorno, oppure rifiuta la richiesta.",
    ),
    "not-less-other-day": lambda: Case(
        narrowed((date(2026, 12, 18),), 4),
        "Only days that were asked for can be approved.",
        "Si possono approvare solo i giorni richiesti.",
    ),
    "not-less-more-hours": lambda: Case(
        narrowed(DAYS, 5),
        "The hours can be lowered, from 1 to the 4 asked, not raised.",
        "Le ore si possono ridurre, da 1 fino alle 4 richieste, non aumentare.",
    ),
    "not-less-same": lambda: Case(
        narrowed(DAYS, 4),
        "Nothing was changed: drop a day or lower the hours, or use Approve.",
        "oppure usa Approva.",
    ),
    "why-not-missionx": lambda: Case(
        why(delivered(ProcoreProjectPersonPayload(project_id=4, last_name="Gallo")), AmendAction.UNDO),
        "MissionX and Procore document no way to remove a person from a project, so Staffdesk cannot undo "
        "it; remove them in the upstream's own app.",
        "MissionX e Procore non documentano alcun modo",
    ),
    "why-not-change-whitelist": lambda: Case(
        why(delivered(WhitelistPayload(project_id=42, person_id=7)), AmendAction.CHANGE),
        "Only an allocation can be changed; undo this one and ask again instead.",
        "Si può modificare solo un'allocazione",
    ),
    "why-not-change-several": lambda: Case(
        why(delivered(ALLOCATION.model_copy(update={"also": (8,)})), AmendAction.CHANGE),
        "An allocation of several people is not changed at once; undo it and ask again instead.",
        "Un'allocazione di più persone non si modifica tutta insieme",
    ),
    "why-not-undo-an-undo": lambda: Case(
        why(
            delivered(amends=Amendment(action=AmendAction.UNDO, of_request="req-0", previous=PLACED)),
            AmendAction.UNDO,
        ),
        "This request is an undo; an undo is not undone. Make a new request instead.",
        "una revoca non si revoca",
    ),
    "why-not-amended": lambda: Case(
        why(delivered(amended_by="req-2"), AmendAction.UNDO),
        "This request already has an undo or a change under way or done; see its thread.",
        "c'è già una revoca o una modifica",
    ),
    "why-not-undo-failed": lambda: Case(
        why(delivered(status=S.FAILED), AmendAction.UNDO),
        "Only a delivered request can be undone; this one is failed.",
        "Si può revocare solo una richiesta completata; questa risulta non riuscita.",
    ),
    "why-not-change-pending": lambda: Case(
        why(delivered(status=S.PENDING_APPROVAL), AmendAction.CHANGE),
        "Only a delivered request can be changed; this one is pending approval.",
        "questa risulta in attesa di approvazione.",
    ),
    "why-not-undo-nothing-placed": lambda: Case(
        why(delivered(result=AlreadyDone(summary="there").model_dump(mode="json")), AmendAction.UNDO),
        "This request created nothing in Wethod (it was already there), so nothing can be undone.",
        "non c'è nulla da revocare.",
    ),
    "why-not-change-nothing-placed": lambda: Case(
        why(delivered(result=AlreadyDone(summary="there").model_dump(mode="json")), AmendAction.CHANGE),
        "This request created nothing in Wethod (it was already there), so nothing can be changed.",
        "non c'è nulla da modificare.",
    ),
    "title-allocation": lambda: Case(title_of(delivered()), "Allocation", "Allocazione"),
    "title-whitelist": lambda: Case(
        title_of(delivered(WhitelistPayload(project_id=42, person_id=7))),
        "Timesheet whitelist",
        "Whitelist del timesheet",
    ),
    "title-missionx": lambda: Case(
        title_of(
            delivered(
                MissionXProjectPersonPayload(
                    project_id=MX_PROJECT, email="a@acme.example", permission="member"
                )
            )
        ),
        "Add to a MissionX project",
        "Aggiungi a un progetto MissionX",
    ),
    "title-undo-allocation": lambda: Case(
        title_of(amendment(AmendAction.UNDO)), "Undo of an allocation", "Revoca di un'allocazione"
    ),
    "title-change-allocation": lambda: Case(
        title_of(amendment(AmendAction.CHANGE)), "Change of an allocation", "Modifica di un'allocazione"
    ),
    "title-undo-whitelist": lambda: Case(
        title_of(amendment(AmendAction.UNDO, WhitelistPayload(project_id=42, person_id=7))),
        "Undo of a timesheet whitelist entry",
        "Revoca di una voce della whitelist del timesheet",
    ),
    "title-change-whitelist": lambda: Case(
        title_of(amendment(AmendAction.CHANGE, WhitelistPayload(project_id=42, person_id=7))),
        "Change of a timesheet whitelist entry",
        "Modifica di una voce della whitelist del timesheet",
    ),
    "permissions": lambda: Case(
        permissions_in_words(["planning.modify_past", "planning.modify_other"]),
        "plan people on projects run by others, nor change the planning of today or past days "
        "(planning.modify_other, planning.modify_past)",
        "pianificare persone sui progetti gestiti da altri, né modificare la pianificazione di oggi o dei "
        "giorni passati (planning.modify_other, planning.modify_past)",
        ("planning.modify_other, planning.modify_past",),
    ),
    "permissions-unknown": lambda: Case(
        permissions_in_words(["reports.view"]), "reports.view", "reports.view", ("reports.view",)
    ),
    "archived": lambda: Case(
        ArchivedProject("Old Archive", "Wethod"),
        "Old Archive is archived in Wethod; pick an active project.",
        "Old Archive è archiviato in Wethod: scegli un progetto attivo.",
        ("Old Archive", "Wethod"),
    ),
    "unknown-project": lambda: Case(
        UnknownProject("Wethod", "4242"),
        "Staffdesk does not know Wethod project 4242. If it was just created, try again in a few minutes, "
        "once the directory has refreshed.",
        "Staffdesk non conosce il progetto Wethod 4242.",
        ("Wethod",),
    ),
    "upstream-unavailable": lambda: Case(
        UpstreamUnavailable("Wethod", "answered 503: maintenance"),
        "Wethod could not be read: answered 503: maintenance",
        "Non è stato possibile leggere Wethod: answered 503: maintenance",
        ("Wethod", "answered 503: maintenance"),
    ),
    "no-upstream-person-no-email": lambda: Case(
        no_upstream_person(None, RITA),
        "Slack does not share your e-mail address with Staffdesk, " + MANAGE.format(ask="<@U0RITA>"),
        "Slack non comunica a Staffdesk il tuo indirizzo e-mail, quindi Staffdesk non può sapere se "
        "gestisci questo progetto; chiedi a <@U0RITA> di aggiungerti a MissionX o di darti il permesso per "
        "i progetti di altri.",
        ("MissionX",),
    ),
    "no-upstream-person": lambda: Case(
        no_upstream_person("bruno@acme.example", RITA, RESOURCING),
        "No MissionX person has your e-mail address (bruno@acme.example), "
        + MANAGE.format(ask="<@U0RITA> or @resourcing"),
        "In MissionX nessuna persona ha il tuo indirizzo e-mail (bruno@acme.example), quindi Staffdesk non "
        "può sapere se gestisci questo progetto; chiedi a <@U0RITA> o @resourcing di aggiungerti a MissionX",
        ("MissionX", "bruno@acme.example", "resourcing"),
    ),
    "no-upstream-person-nobody-to-ask": lambda: Case(
        no_upstream_person("bruno@acme.example"),
        "No MissionX person has your e-mail address (bruno@acme.example), "
        + MANAGE.format(ask="whoever looks after Staffdesk's policy file"),
        "chiedi a chi gestisce il file delle regole di Staffdesk di aggiungerti a MissionX",
        ("MissionX", "bruno@acme.example"),
    ),
    "no-approver": lambda: Case(
        no_approver(RITA, RESOURCING, Member(kind=MemberKind.EMAIL, value="ops@acme.example")),
        NO_APPROVER.format(ask="<@U0RITA> or @resourcing or ops@acme.example"),
        "Nessuno in Slack può approvare questa richiesta: né i responsabili del progetto né gli approvatori "
        "di riserva previsti dalle regole possono pianificare persone sui progetti gestiti da altri, né "
        "modificare la pianificazione di oggi o dei giorni passati (planning.modify_other, "
        "planning.modify_past); chiedi a <@U0RITA> o @resourcing o ops@acme.example di cambiare chi può "
        "approvare.",
        ("planning.modify_other, planning.modify_past", "resourcing", "ops@acme.example"),
    ),
    "expired-days": lambda: Case(
        RequestExpired("req-1", _duration(timedelta(hours=72, seconds=1))),
        EXPIRED.format(waited="3 days"),
        "Questa richiesta ha atteso 3 giorni senza una decisione ed è scaduta",
    ),
    "expired-hours": lambda: Case(
        RequestExpired("req-1", _duration(timedelta(hours=2, minutes=30))),
        EXPIRED.format(waited="2.5 h"),
        "Questa richiesta ha atteso 2,5 h senza una decisione",
    ),
    "expired-many-hours": lambda: Case(
        RequestExpired("req-1", _duration(timedelta(hours=12))),
        EXPIRED.format(waited="12 h"),
        "Questa richiesta ha atteso 12 h senza una decisione",
    ),
    "expired-minutes": lambda: Case(
        RequestExpired("req-1", _duration(timedelta(minutes=5))),
        EXPIRED.format(waited="5 min"),
        "Questa richiesta ha atteso 5 min senza una decisione",
    ),
    "duplicate": lambda: Case(
        DuplicateSubmission("key"),
        "This form was already sent; the first copy is kept.",
        "Questo modulo era già stato inviato; resta valido il primo invio.",
    ),
    "reason-required": lambda: Case(
        ReasonRequired(),
        "Please say why the request is rejected; the requester sees the reason.",
        "Scrivi perché rifiuti la richiesta; chi l'ha chiesta vedrà il motivo.",
    ),
    "storage-unavailable": lambda: Case(
        StorageUnavailable(),
        "Staffdesk cannot reach its database just now, so this was most likely not saved. Try again in a "
        "minute; `/staffing mine` shows what was saved.",
        "In questo momento Staffdesk non riesce a raggiungere il suo database",
    ),
    "already-amended": lambda: Case(
        AlreadyAmended("req-1", "req-2"),
        "This request already has an undo or a change under way or done, so nothing more was asked; its "
        "thread tells how it went.",
        "quindi non è stato chiesto altro; il suo thread racconta com'è andata.",
    ),
    "moved-on": lambda: Case(
        RequestMovedOn("req-1", S.PENDING_APPROVAL, S.APPROVED),
        "This request is already approved; nothing was changed.",
        "Questa richiesta è già approvata; non è cambiato nulla.",
    ),
    "moved-on-gone": lambda: Case(
        RequestMovedOn("req-1", S.PENDING_APPROVAL, None),
        "This request no longer exists; nothing was changed.",
        "Questa richiesta non esiste più; non è cambiato nulla.",
    ),
    "not-found": lambda: Case(
        RequestNotFound("req-1"),
        "Staffdesk has no request req-1.",
        "In Staffdesk non c'è nessuna richiesta req-1.",
    ),
    "illegal-transition": lambda: Case(
        IllegalTransition(S.DELIVERED, S.REJECTED),
        "A request that is delivered cannot become rejected; nothing was changed.",
        "Una richiesta completata non può diventare rifiutata; non è cambiato nulla.",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_english_stays_as_it_was(name: str) -> None:
    case = CASES[name]()
    with reading_as("en-GB"):
        assert shown(case.words) == case.english
        assert plain_text(case.words) == _MENTION.sub(r"\1", case.english)
    assert in_english(case.words) == _MENTION.sub(r"\1", case.english)


@pytest.mark.parametrize("name", sorted(CASES))
def test_italian_reads_italian(name: str) -> None:
    case = CASES[name]()
    with reading_as("it-IT"):
        italian = shown(case.words)
        text = plain_text(case.words)
    assert case.italian in italian
    assert _MENTION.sub(r"\1", case.italian) in text
    if case.italian != case.english:
        assert italian != case.english


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_nothing_but_the_data_is_outside_the_catalog(name: str, language: Language) -> None:
    with pseudo_reading(language):
        case = CASES[name]()
        read = (shown(case.words), plain_text(case.words))
    ids = tuple(_MENTION.findall(case.english))
    assert outside_the_catalog(read, (*case.data, *ids, "req-1", "4242", "key"), language) == []


def test_the_check_finds_english_left_in_an_error() -> None:
    with pseudo_reading():
        read = error_markup(NotAllowed("You may not.", ArchivedProject("Apollo", "Wethod").words[0]))
    assert untranslated(read, ("Apollo", "Wethod")) == ["You may not."]


def test_the_logs_keep_the_details_of_an_error_about_the_request_itself() -> None:
    assert str(RequestMovedOn("req-1", S.PENDING_APPROVAL, S.APPROVED)) == (
        "request req-1 has moved on: it was expected pending approval but is now approved"
    )
    assert str(RequestNotFound("req-1")) == "there is no request req-1"
    assert (
        str(IllegalTransition(S.DELIVERED, S.REJECTED))
        == "a request that is delivered cannot become rejected"
    )
    assert str(ReasonRequired()) == "Please say why the request is rejected; the requester sees the reason."


def test_a_permission_is_said_for_a_person() -> None:
    with reading_as("it"):
        assert render(Permission.PEOPLE_ADD_OTHER.words) == "aggiungere persone ai progetti gestiti da altri"
    assert {english(p.words) for p in Permission} >= {"add people to projects they manage"}


async def test_a_kind_is_said_for_a_person_when_it_cannot_be_delivered() -> None:
    routing = ProvisionerByKind({}, {RequestKind.ALLOCATION: "WETHOD_API_TOKEN"})
    outcome = await routing.provision(a_request(ALLOCATION), attempt=1)
    assert isinstance(outcome, NeedsOperator)
    assert (
        outcome.reason
        == "Wethod is not set up in Staffdesk, so this request (Allocation) cannot be delivered."
    )
    with reading_as("it"):
        assert render(outcome.said_reason) == (
            "Wethod non è configurato in Staffdesk, quindi questa richiesta (Allocazione) non può essere "
            "inviata."
        )


# What goes wrong unexpectedly, and what the Slack handler tells of it


def test_something_unexpected_is_told_with_a_reference_in_the_readers_language() -> None:
    with reading_as("en"):
        english_text, reference = user_text(RuntimeError("boom"))
    assert reference is not None
    assert english_text == (
        f"Something went wrong inside Staffdesk (reference {reference}). Nothing you sent is lost; try "
        "again, and if it keeps happening give the reference to your Staffdesk administrator."
    )
    with reading_as("it"):
        italian, reference = user_text(RuntimeError("boom"))
    assert f"Qualcosa è andato storto in Staffdesk (riferimento {reference})." in italian
    with pseudo_reading():
        text, reference = user_text(RuntimeError("boom"))
        markup_text = error_markup(RuntimeError("boom"))
    assert reference is not None
    assert (
        outside_the_catalog((text, markup_text), (reference, *re.findall(r"[0-9a-f]{8}", markup_text))) == []
    )


async def test_a_kept_form_shows_the_problem_in_the_readers_language() -> None:
    ack = AsyncAck()
    body = {
        "type": "view_submission",
        "user": {"id": "U0ANA"},
        "view": {"blocks": [{"type": "input", "block_id": "project_block"}]},
    }
    with reading_as("it-IT"):
        assert await keep_the_form(no_upstream_person(None, RITA), ack, body)
    assert ack.response is not None
    errors = json.loads(ack.response.body)["errors"]
    assert errors["project_block"].startswith("Slack non comunica a Staffdesk il tuo indirizzo e-mail")
    assert "chiedi a U0RITA di aggiungerti a MissionX" in errors["project_block"]


# The errors the services raise, as the services raise them


@pytest.fixture
async def ctx(uow_factory: Callable[[], SqlUnitOfWork], clock: FakeClock) -> ApprovalContext:
    await seed_directory(uow_factory, clock)
    return context(uow_factory, clock, FakeSlackPeople(), policy())


@dataclass(frozen=True)
class Refusal:
    """A service called as a person would, the English it refuses with, and a part of its Italian."""

    act: Callable[[ApprovalContext, FakeClock], Awaitable[object]]
    english: str
    italian: str
    data: tuple[str, ...] = ()


async def _approve_pending(ctx: ApprovalContext, actor: str, day: date = date(2026, 12, 7)) -> object:
    request = (await submit_request(ctx, allocation("U0MARTA", day=day))).request
    return await approve_request(ctx, request.id, actor)


async def _approve_lacking(ctx: ApprovalContext, clock: FakeClock) -> object:
    request = (await submit_request(ctx, allocation("U0MARTA", day=date(2026, 11, 24)))).request
    clock.advance(days=1)
    return await approve_request(ctx, request.id, "U0ANA")


async def _cancel_by_other(ctx: ApprovalContext, clock: FakeClock) -> object:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    return await cancel_request(ctx, request.id, "U0ANA")


async def _approve_late(ctx: ApprovalContext, clock: FakeClock) -> object:
    request = (await submit_request(ctx, allocation("U0MARTA"))).request
    clock.advance(hours=72, seconds=1)
    return await approve_request(ctx, request.id, "U0ANA")


async def _approve_a_whitelist_with_changes(ctx: ApprovalContext, clock: FakeClock) -> object:
    request = (await submit_request(ctx, whitelist("U0MARTA"))).request
    return await approve_with_changes(ctx, request.id, "U0ANA", DAYS, 4)


async def _nobody_may_approve(ctx: ApprovalContext, clock: FakeClock) -> object:
    alone = context(ctx.uow_factory, clock, FakeSlackPeople(), policy(fallback=()))
    return await submit_request(alone, allocation("U0MARTA", day=date(2026, 11, 23)))


async def _no_missionx_person(ctx: ApprovalContext, clock: FakeClock) -> object:
    payload = MissionXProjectPersonPayload(
        project_id=MX_PROJECT, email="new@acme.example", permission="member"
    )
    return await submit_request(ctx, allocation("U0BRUNO").model_copy(update={"payload": payload}))


@dataclass
class _Requests:
    request: StaffingRequest

    async def get(self, request_id: str) -> StaffingRequest:
        return self.request


@dataclass
class _Reading:
    requests: _Requests


def _reading(request: StaffingRequest) -> Callable[[], Any]:
    @asynccontextmanager
    async def unit() -> AsyncIterator[_Reading]:
        yield _Reading(_Requests(request))

    return unit


async def _change_the_project(ctx: ApprovalContext, clock: FakeClock) -> object:
    reading = ApprovalContext(
        ctx.uow_factory, ctx.identities, ctx.slack, ctx.policy, clock, UTC, reading=_reading(delivered())
    )
    return await change_request(reading, "req-1", "U0ANA", ALLOCATION.model_copy(update={"project_id": 43}))


async def _change_nothing(ctx: ApprovalContext, clock: FakeClock) -> object:
    reading = ApprovalContext(
        ctx.uow_factory, ctx.identities, ctx.slack, ctx.policy, clock, UTC, reading=_reading(delivered())
    )
    return await change_request(reading, "req-1", "U0ANA", ALLOCATION)


async def _undo_a_failed_request(ctx: ApprovalContext, clock: FakeClock) -> object:
    failed = delivered(status=S.FAILED)
    reading = ApprovalContext(
        ctx.uow_factory, ctx.identities, ctx.slack, ctx.policy, clock, UTC, reading=_reading(failed)
    )
    return await undo_request(reading, "req-1", "U0ANA")


REFUSALS: dict[str, Refusal] = {
    "away-self": Refusal(
        lambda ctx, clock: go_away(ctx, "U0MARTA", "U0MARTA", DAYS[0], DAYS[-1]),
        "Pick someone else to decide while you are away.",
        "Scegli un'altra persona che decida mentre sei via.",
    ),
    "away-backwards": Refusal(
        lambda ctx, clock: go_away(ctx, "U0MARTA", "U0RITA", DAYS[-1], DAYS[0]),
        "The last day comes before the first; write the days as FROM..TO.",
        "L'ultimo giorno viene prima del primo",
    ),
    "away-over": Refusal(
        lambda ctx, clock: go_away(ctx, "U0MARTA", "U0RITA", date(2020, 1, 6), date(2020, 1, 7)),
        "Those days are over already; give days from today on.",
        "Quei giorni sono già passati",
    ),
    "away-too-long": Refusal(
        lambda ctx, clock: go_away(ctx, "U0MARTA", "U0RITA", DAYS[0], DAYS[0] + timedelta(days=400)),
        "An absence can last a year at most.",
        "Un'assenza può durare al massimo un anno.",
    ),
    "approve-own": Refusal(
        lambda ctx, clock: _approve_pending(ctx, "U0MARTA"),
        "You cannot approve or reject your own request.",
        "Non puoi approvare o rifiutare una tua richiesta.",
    ),
    "approve-not-asked": Refusal(
        lambda ctx, clock: _approve_pending(ctx, "U0BRUNO"),
        "Only the approvers asked for this request can approve or reject it.",
        "Solo chi è stato indicato come approvatore di questa richiesta può approvarla o rifiutarla.",
    ),
    "approve-lacking": Refusal(
        _approve_lacking,
        "You cannot approve this request: you may not change the planning of today or past days "
        "(planning.modify_past).",
        "Non puoi approvare questa richiesta: non ti è permesso modificare la pianificazione di oggi o dei "
        "giorni passati (planning.modify_past).",
        ("planning.modify_past",),
    ),
    "cancel-by-other": Refusal(
        _cancel_by_other,
        "Only the person who asked can cancel this request.",
        "Solo chi ha fatto la richiesta può annullarla.",
    ),
    "approve-late": Refusal(
        _approve_late,
        EXPIRED.format(waited="3 days"),
        "Questa richiesta ha atteso 3 giorni senza una decisione ed è scaduta",
    ),
    "approve-whitelist-with-changes": Refusal(
        _approve_a_whitelist_with_changes,
        "Only an allocation can be approved with changes, not an undo or a change of one.",
        "Solo un'allocazione si può approvare con modifiche",
    ),
    "archived": Refusal(
        lambda ctx, clock: submit_request(ctx, allocation("U0ANA", project=ARCHIVE)),
        "Old Archive is archived in Wethod; pick an active project.",
        "Old Archive è archiviato in Wethod",
        ("Old Archive", "Wethod"),
    ),
    "unknown-project": Refusal(
        lambda ctx, clock: submit_request(ctx, allocation("U0ANA", project="4242")),
        "Staffdesk does not know Wethod project 4242. If it was just created, try again in a few minutes, "
        "once the directory has refreshed.",
        "Staffdesk non conosce il progetto Wethod 4242.",
        ("Wethod",),
    ),
    "nobody-may-approve": Refusal(
        _nobody_may_approve,
        NO_APPROVER.format(ask="whoever looks after Staffdesk's policy file"),
        "chiedi a chi gestisce il file delle regole di Staffdesk di cambiare chi può approvare.",
        ("planning.modify_other, planning.modify_past",),
    ),
    "no-missionx-person": Refusal(
        _no_missionx_person,
        "No MissionX person has your e-mail address (bruno@acme.example), " + MANAGE.format(ask="<@U0RITA>"),
        "In MissionX nessuna persona ha il tuo indirizzo e-mail (bruno@acme.example)",
        ("MissionX", "bruno@acme.example"),
    ),
    "change-the-project": Refusal(
        _change_the_project,
        "A change keeps the project. Undo this allocation and ask for the other project.",
        "Una modifica resta sullo stesso progetto.",
    ),
    "change-nothing": Refusal(
        _change_nothing,
        "Nothing would change: pick other days, other hours or another person.",
        "Non cambierebbe nulla: scegli altri giorni, altre ore o un'altra persona.",
    ),
    "undo-a-failed-request": Refusal(
        _undo_a_failed_request,
        "Only a delivered request can be undone; this one is failed.",
        "questa risulta non riuscita.",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
async def test_a_service_refuses_in_the_readers_language(
    name: str, ctx: ApprovalContext, clock: FakeClock
) -> None:
    refusal = REFUSALS[name]
    with pytest.raises(StaffdeskError) as raised:
        await refusal.act(ctx, clock)
    error = raised.value
    with reading_as("en"):
        assert error_markup(error) == refusal.english
    with reading_as("it"):
        assert refusal.italian in error_markup(error)
    with pseudo_reading():
        read = (error_markup(error), user_text(error)[0])
    ids = tuple(_MENTION.findall(refusal.english))
    assert outside_the_catalog(read, (*refusal.data, *ids, "4242")) == []
    assert str(error) == _MENTION.sub(r"\1", refusal.english)
