"""Request rules of the Wethod simulator: list paging and filters, ids, body validation, error answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.sandbox.wethod.state import RowT, Table

INVALID_DATA_MESSAGE = "You provided invalid data. Check 'failures' for details."
OPERATORS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "bt"})
PLAIN = ""  # a filter value with no operator: "on" that value
ON_AFTER_BEFORE = frozenset({PLAIN, "gt", "lt"})
EVERY_FORM = OPERATORS | {PLAIN}
EXACT = frozenset({PLAIN})
DELETED_MODES = frozenset({"exclude", "include", "only"})
MAX_LIMIT = 100

_INTEGER = re.compile(r"^-?[0-9]+$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Row = TypeVar("Row")
Parser = Callable[[str], Any]


class Problem(Exception):
    """An answer other than success, in Wethod's error shape `{key, message[, failures]}`."""

    def __init__(
        self,
        status: int,
        key: str,
        message: str,
        *,
        failures: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.key, self.message = status, key, message
        self.failures = failures
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"key": self.key, "message": self.message}
        if self.failures is not None:
            body["failures"] = [{"field": f, "message": m} for f, m in self.failures]
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def invalid(failures: Sequence[tuple[str, str]]) -> Problem:
    return Problem(400, "invalid_data", INVALID_DATA_MESSAGE, failures=failures)


def not_found(what: str) -> Problem:
    return Problem(404, "not_found", f"The {what} you asked for does not exist.")


def path_id(request: Request) -> int:
    """The `{id}` of the path; an id that is not a number names nothing, so 404."""
    raw = str(request.path_params["id"])
    if not raw.isdigit():
        raise not_found("resource")
    return int(raw)


def listed(rows: Iterable[Any]) -> JSONResponse:
    return JSONResponse([row.to_json() for row in rows])


def parse_int(raw: str) -> int:
    if not _INTEGER.match(raw):
        raise ValueError(raw)
    return int(raw)


def parse_day(raw: str) -> date:
    if not _DAY.match(raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def parse_moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Filter:
    """`field=<op>:<value>`, or a plain value meaning `eq`; `bt` is inclusive."""

    field: str
    op: str
    values: tuple[Any, ...]

    def matches(self, value: Any) -> bool:
        first = self.values[0]
        if self.op in ("eq", "neq", "in", "nin"):
            return (value in self.values) == (self.op in ("eq", "in"))
        if value is None:
            return False
        checks: dict[str, Callable[[], bool]] = {
            "gt": lambda: value > first,
            "gte": lambda: value >= first,
            "lt": lambda: value < first,
            "lte": lambda: value <= first,
            "bt": lambda: first <= value <= self.values[1],
        }
        return checks[self.op]()


@dataclass(frozen=True)
class FilterRule:
    """How one list filter reads its value, and the forms its documentation gives it (PLAIN: no operator)."""

    parse: Parser
    forms: frozenset[str]

    def described(self) -> str:
        named = [f"{op}:" for op in sorted(self.forms - {PLAIN})]
        return ", ".join((["a plain value"] if PLAIN in self.forms else []) + named)


class UnsupportedOperator(ValueError):
    """An operator Wethod defines somewhere, but not for this filter."""


def parse_filter(field: str, raw: str, rule: FilterRule) -> Filter:
    """UnsupportedOperator for a form the rule does not list; ValueError for operands that do not parse."""
    op, _, operand = raw.partition(":")
    form = op
    if op not in OPERATORS:
        op, operand, form = "eq", raw, PLAIN
    if form not in rule.forms:
        raise UnsupportedOperator(op)
    parts = operand.split(",") if op in ("in", "nin", "bt") else [operand]
    if op == "bt" and len(parts) != 2:
        raise ValueError(raw)
    return Filter(field, op, tuple(rule.parse(part) for part in parts))


ALLOCATION_FILTERS: dict[str, FilterRule] = {
    "date": FilterRule(parse_day, ON_AFTER_BEFORE),
    "updated_at": FilterRule(parse_moment, ON_AFTER_BEFORE),
    "deleted_at": FilterRule(parse_moment, ON_AFTER_BEFORE),
    "person_id": FilterRule(parse_int, EXACT),
    "project_id": FilterRule(parse_int, EXACT),
}
WHITELIST_FILTERS: dict[str, FilterRule] = {
    "project_id": FilterRule(parse_int, EXACT),
    "person_id": FilterRule(parse_int, EXACT),
    "updated_at": FilterRule(parse_moment, ON_AFTER_BEFORE),
}
PERSON_FILTERS: dict[str, FilterRule] = {"updated_at": FilterRule(parse_moment, EVERY_FORM)}
PROJECT_FILTERS: dict[str, FilterRule] = {
    "updated_at": FilterRule(parse_moment, EVERY_FORM),
    "deleted_at": FilterRule(parse_moment, EVERY_FORM),
}


@dataclass(frozen=True)
class ListQuery:
    limit: int
    offset: int
    deleted: str
    filters: tuple[Filter, ...]

    def page(self, table: Table[RowT]) -> list[RowT]:
        """The page of matching rows, in id order.

        The table keeps the matches of a query until one of its rows changes, so the pages after the
        first cost a slice each: the same rows as filtering and sorting the whole table every time.
        """
        return table.view((self.deleted, self.filters), self.matching)[self.offset : self.offset + self.limit]

    def matching(self, rows: Iterable[Row]) -> list[Row]:
        """Every row the filters and `deleted` keep, in id order."""
        chosen = [row for row in rows if self._keeps(row)]
        chosen.sort(key=lambda row: getattr(row, "id", 0))
        return chosen

    def _keeps(self, row: Any) -> bool:
        deleted = getattr(row, "deleted_at", None) is not None
        if (self.deleted == "exclude" and deleted) or (self.deleted == "only" and not deleted):
            return False
        return all(f.matches(getattr(row, f.field)) for f in self.filters)


def parse_list_query(params: QueryParams, filterable: Mapping[str, FilterRule]) -> ListQuery:
    """`limit` (1..100, default 100), `offset`, `deleted` and the endpoint's filters, each once; else 400."""
    failures = [(name, "Give this parameter once.") for name in _repeated(params)]
    limit = _bounded(params, "limit", MAX_LIMIT, 1, MAX_LIMIT, failures)
    offset = _bounded(params, "offset", 0, 0, None, failures)
    deleted = params.get("deleted", "exclude")
    if deleted not in DELETED_MODES:
        failures.append(("deleted", "The value must be one of exclude, include, only."))
    filters: list[Filter] = []
    for name, rule in filterable.items():
        if name in params:
            try:
                filters.append(parse_filter(name, params[name], rule))
            except UnsupportedOperator as refused:
                failures.append((name, f"This filter does not take {refused}:; it takes {rule.described()}."))
            except ValueError:
                failures.append((name, "The filter is not valid."))
    if failures:
        raise invalid(failures)
    return ListQuery(limit, offset, deleted, tuple(filters))


def _repeated(params: QueryParams) -> list[str]:
    names = [name for name, _ in params.multi_items()]
    return sorted({name for name in names if names.count(name) > 1})


def _bounded(
    params: Mapping[str, str],
    name: str,
    default: int,
    low: int,
    high: int | None,
    failures: list[tuple[str, str]],
) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = parse_int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        failures.append((name, f"This value should be an integer {bounds}."))
        return default
    return value


class BodyReader:
    """Reads a JSON object body field by field, collecting a failure per bad field."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise invalid([("body", "The request body must be a JSON object.")])
        self.body = body
        self.failures: list[tuple[str, str]] = []

    def integer(self, name: str, low: int = 1, high: int | None = None) -> int:
        value = self.body.get(name)
        if value is None:
            return self._fail(name, "This value should not be blank.")
        if not isinstance(value, int) or isinstance(value, bool):
            return self._fail(name, "This value should be of type integer.")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"{low} or more"
            return self._fail(name, f"This value should be {bounds}.")
        return value

    def day(self, name: str) -> date:
        value = self.body.get(name)
        try:
            return parse_day(value) if isinstance(value, str) else parse_day("")
        except ValueError:
            self.failures.append((name, "This value is not a valid date (YYYY-MM-DD)."))
            return date.min

    def existing(self, name: str, value: int, table: Mapping[int, Any]) -> None:
        if value > 0 and value not in table:
            self.failures.append((name, f"No {name.removesuffix('_id')} has this id."))

    def check(self) -> None:
        if self.failures:
            raise invalid(self.failures)

    def _fail(self, name: str, message: str) -> int:
        self.failures.append((name, message))
        return 0
