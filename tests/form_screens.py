"""The request forms, what a slash command's text put in them, and what they say next to a field they
refuse, for the check that every word shown comes from the catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from app import i18n
from app.domain.amends import plan_change
from app.domain.directory import DirectoryProject
from app.domain.placement import AmendAction
from app.domain.requests import RequestKind
from app.domain.upstreams import Upstream
from app.services.calendar import WorkingDays
from app.services.queries import DayPreview
from app.slack.blocks.amends import change_preview_text
from app.slack.blocks.decisions import (
    build_approve_changes_modal,
    build_approve_note_modal,
    build_reject_modal,
)
from app.slack.blocks.echo import command_echo_text
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.modals import (
    build_allocation_modal,
    build_whitelist_modal,
    people_preview_text,
    preview_text,
    when_understood,
    whitelist_off_text,
)
from app.slack.blocks.project_person import build_project_person_modal
from app.slack.forms import check_allocation, check_missionx, check_procore, check_whitelist, with_when
from app.slack.ids import Action
from app.slack.listeners.views import TOO_BUSY
from app.slack.metadata import ModalContext
from app.slack.text import Prefill
from tests.pseudo_locale import Screen
from tests.request_screens import HARBOR, amendment, approval_facts, words_of
from tests.snapshot_cases import ALLOCATION, DAYS, WHITELIST, described

TODAY = date(2026, 11, 30)
ARCHIVED = DirectoryProject(upstream=Upstream.WETHOD, upstream_id="42", name="Old Tower", archived=True)
SYSTEMS = ("Wethod", "MissionX", "Procore")
ITALY = WorkingDays("IT", "en")


def _errors(errors: dict[str, str], *data: str) -> Screen:
    return Screen(list(errors.values()), (*SYSTEMS, *data))


def _when(words: str) -> Screen:
    errors: dict[str, str] = {}
    with_when(Draft(texts={str(Action.WHEN): words}), TODAY, None, errors)
    return _errors(errors, *words.split())


def _days(start: date, end: date, calendar: WorkingDays | None = None) -> Screen:
    draft = Draft(start=start, end=end, hours="4")
    checked = check_allocation(draft, ["7"], ARCHIVED, *([calendar] if calendar else []))
    names = [name for _, name in (calendar or WorkingDays()).holidays_between(start, end)]
    return _errors(checked.errors, ARCHIVED.name, *names)


def _allocation_modal() -> Screen:
    prefill = Prefill(user_id="U0MARTA", start=DAYS[0], end=DAYS[-1], hours=4, unused=("asap",))
    meta = ModalContext(kind=RequestKind.ALLOCATION, echo=command_echo_text(prefill, HARBOR.label, year=2026))
    draft = Draft(user_id="U0MARTA", project=HARBOR, start=DAYS[0], end=DAYS[-1], hours="4")
    preview = preview_text(approval_facts().days, year=2026, holidays=[(DAYS[1], "Immacolata")])
    modal = build_allocation_modal(draft, meta, preview, "Understood as Tue 1 – Thu 3 Dec.")
    return Screen(modal, (HARBOR.label, "asap", "Wethod", "Immacolata", "Understood as Tue 1 – Thu 3 Dec."))


def _people_modal() -> Screen:
    many = [DayPreview(DAYS[0] + timedelta(days=i), 0, 4) for i in range(30)]
    previews = [("Marta Gallo", many), ("Paolo Neri", many[:3])]
    preview = people_preview_text(previews, 2026)
    draft = Draft(user_id="U0MARTA", more=("U0PAOLO",), project=HARBOR, hours="4")
    modal = build_allocation_modal(draft, ModalContext(kind=RequestKind.ALLOCATION), preview)
    return Screen(modal, ("Wethod", HARBOR.label, "Marta Gallo", "Paolo Neri"))


def _change_modal() -> Screen:
    meta = ModalContext(kind=RequestKind.ALLOCATION, changes="r-original")
    draft = Draft(user_id="U0MARTA", project=HARBOR, start=DAYS[0], end=DAYS[1], hours="6")
    after = ALLOCATION.model_copy(update={"dates": DAYS[:2], "hours": 6})
    preview = change_preview_text(plan_change(amendment(AmendAction.CHANGE), after), after, 2026)
    return Screen(build_allocation_modal(draft, meta, preview), ("Wethod", HARBOR.label))


def _whitelist_modal(person: str | None) -> Screen:
    draft = Draft(user_id="U0MARTA", project=HARBOR)
    warning = whitelist_off_text(HARBOR.label, person)
    modal = build_whitelist_modal(draft, ModalContext(kind=RequestKind.WHITELIST), warning)
    return Screen(modal, (HARBOR.label, "Wethod", *([person] if person else [])))


def _person_modal(upstream: Upstream, enabled: Iterable[Upstream]) -> Screen:
    meta = ModalContext(kind=RequestKind.MISSIONX_PROJECT_PERSON, upstream=upstream)
    draft = Draft(project=Choice("a" * 24, HARBOR.label), texts={str(Action.EMAIL): "ana@acme.example"})
    modal = build_project_person_modal(draft, meta, list(enabled))
    return Screen(modal, (HARBOR.label, "ana@acme.example", "MissionX", "Procore"))


def _echo(prefill: Prefill, project: str | None = None) -> Screen:
    notes = (*prefill.unused, *prefill.notes, *([project] if project else []))
    return Screen(command_echo_text(prefill, project, year=2026), notes)


FORM_SCREENS: dict[str, Callable[[], Screen]] = {
    "modal-allocation": _allocation_modal,
    "modal-allocation-empty": lambda: Screen(
        build_allocation_modal(Draft(), ModalContext(kind=RequestKind.ALLOCATION)), ("Wethod",)
    ),
    "modal-allocation-several-people": _people_modal,
    "modal-allocation-problem": lambda: Screen(
        build_allocation_modal(Draft(), ModalContext(kind=RequestKind.ALLOCATION), preview_text(None, "No.")),
        ("Wethod", "No."),
    ),
    "modal-change-allocation": _change_modal,
    "modal-change-allocation-nothing": lambda: Screen(
        change_preview_text(plan_change(amendment(AmendAction.CHANGE), ALLOCATION), ALLOCATION, 2026)
    ),
    "modal-whitelist": lambda: _whitelist_modal("Marta Gallo"),
    "modal-whitelist-nobody-picked": lambda: _whitelist_modal(None),
    "modal-missionx": lambda: _person_modal(Upstream.MISSIONX, [Upstream.MISSIONX, Upstream.PROCORE]),
    "modal-procore": lambda: _person_modal(Upstream.PROCORE, [Upstream.PROCORE]),
    "modal-reject": lambda: Screen(build_reject_modal(described()), words_of(described())),
    "modal-approve-with-changes": lambda: Screen(
        build_approve_changes_modal(described(), ALLOCATION), words_of(described())
    ),
    "modal-approve-with-a-note": lambda: Screen(
        build_approve_note_modal(described(WHITELIST)), words_of(described(WHITELIST))
    ),
    "echo-understood-and-not": lambda: _echo(
        Prefill(user_id="U0MARTA", more=("U0PAOLO",), start=DAYS[0], end=DAYS[-1], hours=4, unused=("asap",)),
        HARBOR.label,
    ),
    "echo-understood": lambda: _echo(Prefill(user_id="U0MARTA")),
    "echo-not-understood": lambda: _echo(Prefill(unused=tuple(f"word{i}" for i in range(60)))),
    "form-errors-allocation-empty": lambda: _errors(check_allocation(Draft(hours="9"), None, None).errors),
    "form-errors-days-backwards": lambda: _days(DAYS[2], DAYS[0]),
    "form-errors-weekend": lambda: _days(date(2026, 12, 5), date(2026, 12, 6)),
    "form-errors-holiday": lambda: _days(date(2026, 12, 8), date(2026, 12, 8), ITALY),
    "form-errors-christmas-and-a-weekend": lambda: _days(date(2026, 12, 25), date(2026, 12, 27), ITALY),
    "form-errors-too-many-days": lambda: _days(date(2026, 1, 5), date(2026, 12, 31)),
    "form-errors-whitelist": lambda: _errors(check_whitelist(None, None).errors),
    "form-errors-missionx": lambda: _errors(
        check_missionx(Draft(texts={str(Action.EMAIL): "nobody", str(Action.RATE): "-1"}), None).errors
    ),
    "form-errors-procore": lambda: _errors(check_procore(Draft(), None).errors),
    "when-not-days": lambda: _when("someday"),
    "when-words-left": lambda: _when("next week please"),
    "when-understood": lambda: Screen(when_understood(DAYS[0], DAYS[-1], 2026)),
    "too-busy": lambda: Screen(i18n.t(TOO_BUSY)),
}
