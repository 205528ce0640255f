"""The Wethod simulator's lists: each page is what filtering, ordering and slicing the whole table gives,
whatever changed in between, while the matches of a query are found once until a row changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from app.sandbox.demo import demo_company
from app.sandbox.wethod.http import ALLOCATION_FILTERS, parse_list_query
from app.sandbox.wethod.state import AllocationRow, Table, WethodState

DAYS = [date(2031, 3, 3) + timedelta(days=n) for n in range(4)]
PEOPLE = [1, 2, 3]
PROJECTS = [1000, 1001]
IDS = ("person_id", "project_id")
T = datetime(2031, 1, 1, tzinfo=UTC)


def state() -> WethodState:
    return WethodState(demo_company(), clock=lambda: T)


def documented_page(rows: Iterable[AllocationRow], params: dict[str, str]) -> list[AllocationRow]:
    """The list as Wethod's page documents it, worked out from scratch over every row."""
    mode = params.get("deleted", "exclude")
    chosen = [
        row
        for row in rows
        if mode == "include" or (row.deleted_at is None) == (mode == "exclude")
        if _on_after_before(row.date, params.get("date"), date.fromisoformat)
        if _on_after_before(row.updated_at, params.get("updated_at"), datetime.fromisoformat)
        if all(
            str(getattr(row, name)) == params[name] for name in ("person_id", "project_id") if name in params
        )
    ]
    chosen.sort(key=lambda row: row.id)
    offset, limit = int(params.get("offset", "0")), int(params.get("limit", "100"))
    return chosen[offset : offset + limit]


def _on_after_before(value: Any, wanted: str | None, parse: Callable[[str], Any]) -> bool:
    if wanted is None:
        return True
    op, _, operand = wanted.partition(":")
    if op == "gt":
        return bool(value > parse(operand))
    if op == "lt":
        return bool(value < parse(operand))
    return bool(value == parse(wanted))


def page(world: WethodState, params: dict[str, str]) -> list[AllocationRow]:
    return parse_list_query(QueryParams(params), ALLOCATION_FILTERS).page(world.allocations)


def apply(world: WethodState, change: tuple[Any, ...]) -> None:
    """A change as the simulator's API or a test would make it, straight on the table included."""
    kind, pick, person, project, day, hours = change
    live = sorted(world.allocations)
    if kind == "add" or not live:
        world.add_allocation(person, project, DAYS[day], hours)
        return
    chosen = live[pick % len(live)]
    if kind == "delete" and world.allocations[chosen].deleted_at is None:
        world.delete_allocation(chosen)
    elif kind == "replace":
        world.allocations[chosen] = dataclasses.replace(world.allocations[chosen], hours=hours)
    elif kind == "remove":
        del world.allocations[chosen]
    elif kind == "pop":
        world.allocations.pop(chosen)


changes = st.tuples(
    st.sampled_from(["add", "add", "add", "delete", "replace", "remove", "pop"]),
    st.integers(0, 1_000),
    st.sampled_from(PEOPLE),
    st.sampled_from(PROJECTS),
    st.integers(0, len(DAYS) - 1),
    st.integers(1, 8),
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "date": st.sampled_from(DAYS).flatmap(
            lambda day: st.sampled_from([day.isoformat(), f"gt:{day}", f"lt:{day}"])
        ),
        "updated_at": st.integers(0, 40).flatmap(
            lambda ms: st.sampled_from(["gt:", "lt:"]).map(
                lambda op: op + (T + timedelta(milliseconds=ms)).isoformat()
            )
        ),
        "person_id": st.sampled_from(PEOPLE).map(str),
        "project_id": st.sampled_from(PROJECTS).map(str),
        "deleted": st.sampled_from(["exclude", "include", "only"]),
        "limit": st.sampled_from(["1", "2", "3", "100"]),
        "offset": st.integers(0, 12).map(str),
    },
)

asked = st.lists(queries, min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.lists(changes, max_size=6), st.lists(queries, min_size=1, max_size=4)), max_size=8)
)
def test_every_page_is_the_documented_slice_of_the_whole_table(
    steps: list[tuple[list[tuple[Any, ...]], list[dict[str, str]]]],
) -> None:
    world = state()
    for made, asked in steps:
        for change in made:
            apply(world, change)
        for params in asked:
            assert page(world, params) == documented_page(world.allocations.values(), params)


def test_paging_through_a_list_finds_its_matches_once_until_a_row_changes() -> None:
    table: Table[AllocationRow] = Table()
    for n in range(1, 251):
        table[n] = AllocationRow(n, 1, 1000, DAYS[n % 2], 2, T, T)
    built: list[int] = []

    def matching(rows: Iterable[AllocationRow]) -> list[AllocationRow]:
        found = [row for row in rows if row.date == DAYS[0]]
        built.append(len(found))
        return found

    pages = [table.view("day 0", matching)[offset : offset + 100] for offset in (0, 100, 200)]
    assert [len(p) for p in pages] == [100, 25, 0]
    assert built == [125]
    table[251] = AllocationRow(251, 1, 1000, DAYS[0], 2, T, T)
    assert table.view("day 0", matching)[100:200][-1].id == 251
    assert built == [125, 126]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.__setitem__(9, AllocationRow(9, 1, 1000, DAYS[0], 2, T, T)),
        lambda t: t.__delitem__(1),
        lambda t: t.pop(1),
        lambda t: t.popitem(),
        lambda t: t.clear(),
        lambda t: t.update({9: AllocationRow(9, 1, 1000, DAYS[0], 2, T, T)}),
        lambda t: t.setdefault(9, AllocationRow(9, 1, 1000, DAYS[0], 2, T, T)),
        lambda t: t.__ior__({9: AllocationRow(9, 1, 1000, DAYS[0], 2, T, T)}),
    ],
)
def test_every_way_of_changing_a_table_forgets_its_answers(
    change: Callable[[Table[AllocationRow]], Any],
) -> None:
    table: Table[AllocationRow] = Table({1: AllocationRow(1, 1, 1000, DAYS[0], 2, T, T)})
    assert table.view("all", list) == list(table.values())
    change(table)
    assert table.view("all", list) == list(table.values())


def test_a_stored_row_cannot_change_in_place() -> None:
    world = state()
    row = world.add_allocation(1, 1000, DAYS[0], 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.hours = 5  # type: ignore[misc]
    deleted = world.delete_allocation(row.id)
    assert (row.deleted_at, deleted.deleted_at is not None) == (None, True)
    assert world.allocations[row.id] is deleted
