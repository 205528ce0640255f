"""The life cycle of a request: every legal transition passes, every other one raises."""

from __future__ import annotations

import itertools

import pytest

from app.domain.errors import IllegalTransition
from app.domain.lifecycle import LEGAL_TRANSITIONS, check_transition
from app.domain.status import FINAL_STATUSES, RequestStatus

S = RequestStatus
EXPECTED_LEGAL = {
    (S.PENDING_APPROVAL, S.APPROVED),
    (S.PENDING_APPROVAL, S.REJECTED),
    (S.PENDING_APPROVAL, S.EXPIRED),
    (S.PENDING_APPROVAL, S.CANCELLED),
    (S.APPROVED, S.DELIVERING),
    (S.DELIVERING, S.DELIVERING),
    (S.DELIVERING, S.APPROVED),
    (S.DELIVERING, S.DELIVERED),
    (S.DELIVERING, S.FAILED),
}
ALL_PAIRS = list(itertools.product(RequestStatus, RequestStatus))


def test_the_legal_transitions_are_exactly_the_life_cycle() -> None:
    assert set(LEGAL_TRANSITIONS) == EXPECTED_LEGAL


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_LEGAL))
def test_legal_transition_is_allowed(current: RequestStatus, target: RequestStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in EXPECTED_LEGAL])
def test_illegal_transition_raises_a_typed_error(current: RequestStatus, target: RequestStatus) -> None:
    with pytest.raises(IllegalTransition) as raised:
        check_transition(current, target)
    assert raised.value.current is current
    assert raised.value.target is target
    assert current.label in str(raised.value)


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_no_transition_leaves_a_final_state(final: RequestStatus) -> None:
    assert final.is_final
    assert not any(current is final for current, _ in LEGAL_TRANSITIONS)


def test_open_states_are_not_final() -> None:
    assert {s for s in RequestStatus if not s.is_final} == {S.PENDING_APPROVAL, S.APPROVED, S.DELIVERING}
