"""What a delivered request placed, whether it can be undone or changed, and a change's plan."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.amends import acted_on, placements_of, plan_change, why_not_amendable
from app.domain.outcomes import AlreadyDone, Delivered
from app.domain.placement import AmendAction, Amendment, Placement
from app.domain.requests import AllocationPayload, ProcoreProjectPersonPayload, WhitelistPayload
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.slack.blocks.amends import amend_buttons
from app.slack.blocks.home import build_my_requests
from tests.factories import a_request

DAYS = tuple(date(2026, 12, d) for d in (14, 15, 16))
ALLOCATION = AllocationPayload(person_id=7, project_id=42, dates=DAYS, hours=4)
PLACED = tuple(Placement(upstream_id=str(900 + i), day=d, hours=4) for i, d in enumerate(DAYS))
S = RequestStatus


def delivered(payload: object = ALLOCATION, **fields: object) -> object:
    outcome = Delivered(upstream_ids=tuple(p.upstream_id for p in PLACED), summary="done")
    if isinstance(payload, WhitelistPayload):
        outcome = Delivered(upstream_ids=("57",), summary="done")
    values = {"status": S.DELIVERED, "result": outcome.model_dump(mode="json")} | fields
    return a_request(payload, **values)


def test_an_older_result_gives_its_ids_day_by_day_and_a_whitelist_its_one_id() -> None:
    assert placements_of(delivered()) == PLACED
    whitelist = delivered(WhitelistPayload(project_id=42, person_id=7))
    assert placements_of(whitelist) == (Placement(upstream_id="57"),)
    failed = delivered(status=S.FAILED)
    assert placements_of(failed) == ()


@pytest.mark.parametrize(
    ("request_fields", "action", "why"),
    [
        ({}, AmendAction.UNDO, None),
        ({}, AmendAction.CHANGE, None),
        (
            {"status": S.FAILED},
            AmendAction.UNDO,
            "Only a delivered request can be undone; this one is failed.",
        ),
        ({"amended_by": "r-2"}, AmendAction.UNDO, "already has an undo or a change"),
        (
            {"amends": Amendment(action=AmendAction.UNDO, of_request="r-0", previous=PLACED)},
            AmendAction.UNDO,
            "an undo is not undone",
        ),
        (
            {"result": AlreadyDone(summary="already on it").model_dump(mode="json")},
            AmendAction.UNDO,
            "created nothing in Wethod",
        ),
    ],
)
def test_what_can_be_undone_or_changed_and_why_not(
    request_fields: dict[str, object], action: AmendAction, why: str | None
) -> None:
    said = why_not_amendable(delivered(**request_fields), action)
    if why is None:
        assert said is None
    else:
        assert said is not None
        assert why in str(said)


def test_a_whitelist_entry_is_not_changed_and_a_procore_person_not_undone() -> None:
    whitelist = delivered(WhitelistPayload(project_id=42, person_id=7))
    assert "Only an allocation can be changed" in str(why_not_amendable(whitelist, AmendAction.CHANGE))
    procore = delivered(ProcoreProjectPersonPayload(project_id=4, last_name="Gallo"))
    assert "document no way to remove a person" in str(why_not_amendable(procore, AmendAction.UNDO))
    assert amend_buttons(procore) == []


def test_the_plan_of_a_change_keeps_sets_deletes_and_adds_day_by_day() -> None:
    amends = Amendment(action=AmendAction.CHANGE, of_request="r-1", previous=PLACED, person_id=7)
    later = date(2026, 12, 17)
    after = ALLOCATION.model_copy(update={"dates": (DAYS[1], DAYS[2], later), "hours": 6})
    plan = plan_change(amends, after)
    assert plan.create == (later,)
    assert plan.delete == (PLACED[0],)
    assert plan.update == (PLACED[1], PLACED[2])
    assert plan.keep == ()
    same_hours = plan_change(amends, ALLOCATION.model_copy(update={"dates": DAYS[:2]}))
    assert (same_hours.keep, same_hours.delete, same_hours.create) == (PLACED[:2], (PLACED[2],), ())
    other_person = plan_change(amends, ALLOCATION.model_copy(update={"person_id": 8}))
    assert (other_person.delete, other_person.create, other_person.keep) == (PLACED, DAYS, ())


def test_a_change_is_checked_on_the_days_it_removes_too() -> None:
    amends = Amendment(action=AmendAction.CHANGE, of_request="r-1", previous=PLACED, person_id=7)
    after = ALLOCATION.model_copy(update={"dates": (date(2026, 12, 21),)})
    acting = acted_on(after, amends)
    assert isinstance(acting, AllocationPayload)
    assert acting.earliest == DAYS[0]
    assert acted_on(after, None) == after


def test_my_requests_offer_undo_on_a_delivered_line_and_cancel_on_a_waiting_one() -> None:
    done = RequestDescription(delivered(id="r-done"), "Marta Gallo", "Apollo", "4 h a day")
    waiting = RequestDescription(
        a_request(ALLOCATION, id="r-wait", status=S.PENDING_APPROVAL), "Marta Gallo", "Apollo", "4 h a day"
    )
    blocks = build_my_requests([done, waiting])
    accessories = [b["accessory"]["text"]["text"] for b in blocks]
    assert accessories == ["Undo", "Cancel request"]
    assert (
        "Staffdesk will delete the 3 allocations it made in Wethod"
        in blocks[0]["accessory"]["confirm"]["text"]["text"]
    )
