"""The Wethod simulator's data: persons, projects, allocations and whitelist entries, seeded from the demo."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from app.sandbox.demo import DemoCompany

MILLISECOND = timedelta(milliseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def wire(value: Any) -> Any:
    """A value as Wethod writes it: dates `YYYY-MM-DD`, date-times ISO 8601 in UTC with milliseconds."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class _Row:
    """A stored row; frozen, so that a change is a new row put in its table, which the table sees."""

    def to_json(self) -> dict[str, Any]:
        return dict(self._wire)

    @functools.cached_property
    def _wire(self) -> dict[str, Any]:
        """The row as Wethod writes it, worked out once: the row cannot change."""
        return {f.name: wire(getattr(self, f.name)) for f in dataclasses.fields(self)}


RowT = TypeVar("RowT", bound=_Row)
VIEWS_KEPT = 32


class Table(dict[int, RowT], Generic[RowT]):
    """Rows by id that keep the answers of recent list queries (the sorted matching rows) until a row is
    put or removed: a client paging through a long list pays for the scan once, then a slice a page.

    Every way of changing a dict forgets the answers; rows are frozen, so none can change in place.
    """

    def __init__(self, rows: Mapping[int, RowT] | Iterable[tuple[int, RowT]] = ()) -> None:
        super().__init__(rows)
        self._views: dict[Hashable, list[RowT]] = {}

    def view(self, key: Hashable, build: Callable[[Iterable[RowT]], list[RowT]]) -> list[RowT]:
        """`build(rows)` for `key`, as found the last time it was asked for if no row changed since."""
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = build(self.values())
            if len(self._views) > VIEWS_KEPT:
                del self._views[next(iter(self._views))]
        return found

    def _changed(self) -> None:
        if self._views:
            self._views.clear()

    def __setitem__(self, key: int, row: RowT) -> None:
        self._changed()
        super().__setitem__(key, row)

    def __delitem__(self, key: int) -> None:
        self._changed()
        super().__delitem__(key)

    def pop(self, key: int, *default: Any) -> Any:
        self._changed()
        return super().pop(key, *default)

    def popitem(self) -> tuple[int, RowT]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        self._changed()
        super().clear()

    def setdefault(self, key: int, default: RowT) -> RowT:
        self._changed()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> Table[RowT]:  # type: ignore[override,misc]
        self._changed()
        super().__ior__(other)
        return self


@dataclass(frozen=True)
class PersonRow(_Row):
    id: int
    name: str
    surname: str
    email: str
    role: str
    role_id: int
    created_at: datetime
    updated_at: datetime
    is_archived: bool = False
    is_visible_in_people_allocation: bool = True
    has_timesheet_required: bool = True


@dataclass(frozen=True)
class ProjectRow(_Row):
    id: int
    name: str
    job_order: str
    pm_id: int
    account_id: int
    is_archived: bool
    is_timesheet_whitelist_enabled: bool
    date_start: date
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    probability: int = 100


@dataclass(frozen=True)
class AllocationRow(_Row):
    id: int
    person_id: int
    project_id: int
    date: date
    hours: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class WhitelistRow(_Row):
    id: int
    project_id: int
    person_id: int
    created_at: datetime
    updated_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WethodState:
    """Everything the simulator stores; `reseed()` puts the demo company back."""

    company: DemoCompany
    clock: Callable[[], datetime] = _utc_now
    persons: Table[PersonRow] = field(default_factory=Table)
    projects: Table[ProjectRow] = field(default_factory=Table)
    allocations: Table[AllocationRow] = field(default_factory=Table)
    whitelists: Table[WhitelistRow] = field(default_factory=Table)
    _last_stamp: datetime = EPOCH
    _last_ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        """Demo persons and projects, no allocation and no whitelist entry."""
        self.persons = _seed_persons(self.company)
        self.projects = _seed_projects(self.company)
        self.allocations = Table()
        self.whitelists = Table()
        self._last_ids = {}
        stamps = [row.updated_at for row in self.persons.values()] + [
            r.updated_at for r in self.projects.values()
        ]
        self._last_stamp = max(stamps, default=EPOCH)

    def stamp(self) -> datetime:
        """Now, to the millisecond, and always later than any stamp given before."""
        now = self.clock().astimezone(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._last_stamp = max(now, self._last_stamp + MILLISECOND)
        return self._last_stamp

    def _next_id(self, table: str) -> int:
        """Ids grow and are never given twice, as in a database sequence."""
        self._last_ids[table] = self._last_ids.get(table, 0) + 1
        return self._last_ids[table]

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def add_allocation(self, person_id: int, project_id: int, day: date, hours: int) -> AllocationRow:
        moment = self.stamp()
        row = AllocationRow(self._next_id("allocations"), person_id, project_id, day, hours, moment, moment)
        self.allocations[row.id] = row
        return row

    def delete_allocation(self, allocation_id: int) -> AllocationRow:
        moment = self.stamp()
        row = dataclasses.replace(self.allocations[allocation_id], deleted_at=moment, updated_at=moment)
        self.allocations[allocation_id] = row
        return row

    def set_allocation_hours(self, allocation_id: int, hours: int) -> AllocationRow:
        moment = self.stamp()
        row = dataclasses.replace(self.allocations[allocation_id], hours=hours, updated_at=moment)
        self.allocations[allocation_id] = row
        return row

    def live_allocations(self) -> list[AllocationRow]:
        return [row for row in self.allocations.values() if row.deleted_at is None]

    def add_whitelist(self, project_id: int, person_id: int) -> WhitelistRow:
        moment = self.stamp()
        row = WhitelistRow(self._next_id("whitelists"), project_id, person_id, moment, moment)
        self.whitelists[row.id] = row
        return row

    def whitelist_entry(self, project_id: int, person_id: int) -> WhitelistRow | None:
        found = (
            r for r in self.whitelists.values() if (r.project_id, r.person_id) == (project_id, person_id)
        )
        return next(found, None)

    def update_person(self, person_id: int, **changes: Any) -> PersonRow:
        """Change a person as someone in Wethod would, which moves its `updated_at`."""
        row = dataclasses.replace(self.persons[person_id], **changes, updated_at=self.stamp())
        self.persons[person_id] = row
        return row

    def update_project(self, project_id: int, **changes: Any) -> ProjectRow:
        """Change a project as someone in Wethod would, which moves its `updated_at`."""
        row = dataclasses.replace(self.projects[project_id], **changes, updated_at=self.stamp())
        self.projects[project_id] = row
        return row


def _seed_persons(company: DemoCompany) -> Table[PersonRow]:
    """Each demo person, `updated_at` one millisecond apart so that `updated_at=gt:` can split them."""
    roles = {name: index + 1 for index, name in enumerate(sorted({p.role for p in company.people}))}
    start = company.created_at
    return Table(
        {
            p.id: PersonRow(
                id=p.id,
                name=p.first_name,
                surname=p.last_name,
                email=p.email,
                role=p.role,
                role_id=roles[p.role],
                created_at=start,
                updated_at=start + p.id * MILLISECOND,
            )
            for p in company.people
        }
    )


def _seed_projects(company: DemoCompany) -> Table[ProjectRow]:
    start = company.created_at
    return Table(
        {
            p.id: ProjectRow(
                id=p.id,
                name=p.name,
                job_order=p.job_order,
                pm_id=p.pm_id,
                account_id=p.account_id,
                is_archived=p.archived,
                is_timesheet_whitelist_enabled=p.whitelist_enabled,
                date_start=p.start,
                created_at=start,
                updated_at=start + timedelta(seconds=1) + index * MILLISECOND,
            )
            for index, p in enumerate(company.projects)
        }
    )
