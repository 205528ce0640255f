"""An async client for the Wethod REST API: allocations, timesheet whitelists, persons and projects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from app.clients.errors import FieldError, NotFound, UpstreamError
from app.clients.http import DEFAULT_TIMEOUT, HttpClient, Problem, error_for_status, json_or_none, send, where
from app.clients.retry import Created, RetryPolicy, create_once, retry_read
from app.clients.wethod.models import (
    Allocation,
    NewAllocation,
    Person,
    Project,
    WethodResource,
    WhitelistEntry,
)

UPSTREAM = "Wethod"
PAGE_SIZE = 100
MAX_IN_FLIGHT = 20
DAYS_AT_ONCE = 4
DEFAULT_VERSION = "2024-06-15"

ALLOCATIONS = "/api/people-allocations"
WHITELISTS = "/api/timesheet-whitelists"
PERSONS = "/api/persons"
PROJECTS = "/api/projects"

M = TypeVar("M", bound=WethodResource)
Params = Mapping[str, str | int]

logger = logging.getLogger(__name__)


class BearerToken(httpx.Auth):
    """`Authorization: Bearer <personal API token>`; the token stays out of reprs."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerToken(***)"


class WethodClient(HttpClient):
    """One Wethod company, reached with one person's API token.

    Limits, and their source:

    - Documented (docs.wethod.com list pages): a list page holds at most 100 rows (`limit` 1..100), so
      `PAGE_SIZE` is 100; no total is given, so a list ends at the first page shorter than that.
    - Documented: nothing about concurrent requests. The only limit known is 5,000 requests an hour per
      token, with a 429 and `x-ratelimit-retry-after`, and it comes from a third-party SDK
      (enricodelazzari/php-wethod-sdk), not from Wethod's pages: assumed. It counts requests, not how many
      are open at once, so reading a list's pages side by side costs the same share of that hour.
    - Assumed: at most `max_in_flight` (20) requests of this client in flight at once, whatever asks for
      them (a summary's pages, a week's days, deliveries). With no documented bound on concurrency, the
      width is httpx's default pool of kept-alive connections (20): each request reuses an open
      connection instead of opening and closing one. At 150 ms a page, a 200-page day is 1 + 10 rounds.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        company: str,
        version: str = DEFAULT_VERSION,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (a frozen dataclass)
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._token = token
        self._retry = retry
        self.max_in_flight = max(1, max_in_flight)
        self._in_flight = asyncio.Semaphore(self.max_in_flight)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=BearerToken(token),
            headers={"Wethod-Company": company, "Wethod-Version": version, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(
                max_connections=max(100, self.max_in_flight), max_keepalive_connections=self.max_in_flight
            ),
        )

    # People allocations

    async def create_allocation(self, new: NewAllocation, *, look_first: bool = False) -> Created[Allocation]:
        """Create an allocation once, finding it instead when an earlier try may have created it."""

        async def create() -> Allocation:
            body = await self._request(
                "POST", ALLOCATIONS, json=new.model_dump(mode="json"), expected=(200, 201)
            )
            return _parse(Allocation, body)

        return await create_once(
            self._retry, create, lambda: self._find_allocation(new), look_first=look_first
        )

    async def _find_allocation(self, new: NewAllocation) -> Allocation | None:
        # The plain day is the exact-day form the list-people-allocations page documents in every version;
        # `eq:` appears only in newer pages of other endpoints. The rows are checked here all the same.
        rows = await self.list_allocations(
            date=new.date.isoformat(), person_id=new.person_id, project_id=new.project_id
        )
        same = [
            row
            for row in rows
            if (row.person_id, row.project_id, row.date, row.hours)
            == (new.person_id, new.project_id, new.date, new.hours)
            and row.deleted_at is None
        ]
        return max(same, key=lambda row: row.id, default=None)

    async def list_allocations(
        self,
        *,
        date: str | None = None,
        person_id: int | None = None,
        project_id: int | None = None,
        pages_at_once: int = 1,
        with_deleted: bool = False,
    ) -> list[Allocation]:
        """Every live allocation matching the filters (and the deleted ones too, with `with_deleted`).

        `date` takes the forms the list's page documents: a day (`2026-12-01`), `gt:2026-12-01` (after)
        or `lt:2026-12-01` (before). `pages_at_once` > 1 reads long lists (a whole company's day) that many
        pages ahead (see `_list_all`). Deletion is soft: `deleted=include` is the documented way to see
        deleted rows, with their `deleted_at`.
        """
        deleted = "include" if with_deleted else None
        params = _filters(date=date, person_id=person_id, project_id=project_id, deleted=deleted)
        return await self._list_all(ALLOCATIONS, params, Allocation, pages_at_once)

    async def allocation_on(self, allocation_id: int, day: date, person_id: int) -> Allocation | None:
        """The allocation `allocation_id` as Wethod holds it now, deleted or not; None when Wethod has no
        such row. The API has no documented read by id, so the person's day is listed and the row found."""
        rows = await self.list_allocations(date=day.isoformat(), person_id=person_id, with_deleted=True)
        return next((row for row in rows if row.id == allocation_id), None)

    async def update_allocation_hours(self, allocation_id: int, hours: int) -> Allocation:
        """`PATCH /api/people-allocations/{id}`: the one field the update page lets change is `hours`."""
        path, body = f"{ALLOCATIONS}/{allocation_id}", {"hours": hours}
        answer = await retry_read(
            self._retry, lambda: self._request("PATCH", path, json=body, expected=(200,))
        )
        return _parse(Allocation, answer)

    async def list_allocations_by_day(
        self, days: Iterable[date], *, person_id: int | None = None, days_at_once: int = DAYS_AT_ONCE
    ) -> dict[date, list[Allocation]]:
        """The live allocations of each of `days`: one `date=<day>` list per day, `days_at_once` at a time.

        A range has no documented filter (see `list_allocations`), so each day is asked for on its own;
        the first read that fails cancels the others and is raised.
        """
        wanted = sorted(set(days))
        gate = asyncio.Semaphore(max(1, days_at_once))

        async def on(day: date) -> list[Allocation]:
            async with gate:
                rows = await self.list_allocations(date=day.isoformat(), person_id=person_id)
            return [row for row in rows if row.date == day and row.deleted_at is None]

        try:
            async with asyncio.TaskGroup() as group:
                tasks = {day: group.create_task(on(day)) for day in wanted}
        except* UpstreamError as failed:
            raise _first_error(failed) from None
        return {day: task.result() for day, task in tasks.items()}

    async def delete_allocation(self, allocation_id: int) -> bool:
        """Delete an allocation (softly, as Wethod does): True when this call deleted it, False when it was
        gone already (404), as when an earlier try's answer was lost. Retried like a read: a second
        delete of the same id changes nothing."""
        return await self._delete(f"{ALLOCATIONS}/{allocation_id}")

    async def _delete(self, path: str) -> bool:
        try:
            await retry_read(self._retry, lambda: self._request("DELETE", path, expected=(200, 204)))
        except NotFound:
            return False
        return True

    # Timesheet whitelists

    async def add_timesheet_whitelist(
        self, project_id: int, person_id: int, *, look_first: bool = False
    ) -> Created[WhitelistEntry]:
        """Whitelist a person on a project once; Conflict when they already are (409)."""

        async def create() -> WhitelistEntry:
            body = {"project_id": project_id, "person_id": person_id}
            return _parse(
                WhitelistEntry, await self._request("POST", WHITELISTS, json=body, expected=(200, 201))
            )

        async def find() -> WhitelistEntry | None:
            rows = await self.list_timesheet_whitelists(project_id=project_id, person_id=person_id)
            return next((r for r in rows if (r.project_id, r.person_id) == (project_id, person_id)), None)

        return await create_once(self._retry, create, find, look_first=look_first)

    async def list_timesheet_whitelists(
        self, *, project_id: int | None = None, person_id: int | None = None
    ) -> list[WhitelistEntry]:
        params = _filters(project_id=project_id, person_id=person_id)
        return await self._list_all(WHITELISTS, params, WhitelistEntry)

    async def delete_timesheet_whitelist(self, entry_id: int) -> bool:
        """Take a person off a project's whitelist: True when this call did, False when already off."""
        return await self._delete(f"{WHITELISTS}/{entry_id}")

    # Persons and projects

    async def list_persons(
        self, *, updated_after: datetime | None = None, pages_at_once: int = 1
    ) -> list[Person]:
        """Every person of the company (needs `settings.team`), or those changed after `updated_after`."""
        return await self._list_all(PERSONS, _updated_after(updated_after), Person, pages_at_once)

    async def get_me(self) -> Person:
        """The person the token belongs to."""
        return await self._get_one(f"{PERSONS}/me", Person)

    async def list_projects(
        self, *, updated_after: datetime | None = None, pages_at_once: int = 1
    ) -> list[Project]:
        return await self._list_all(PROJECTS, _updated_after(updated_after), Project, pages_at_once)

    async def get_project(self, project_id: int) -> Project:
        return await self._get_one(f"{PROJECTS}/{project_id}", Project)

    # Plumbing

    async def _get_one(self, path: str, model: type[M]) -> M:
        return _parse(model, await retry_read(self._retry, lambda: self._request("GET", path)))

    async def _list_all(self, path: str, filters: Params, model: type[M], pages_at_once: int = 1) -> list[M]:
        """Page with limit/offset until a page is shorter than the limit (or brings nothing new).

        The first page is read alone, so that a short list costs one request; after a full one the rest
        are read `pages_at_once` at a time (see `_read_ahead`).
        """
        rows: dict[int, M] = {}
        if self._ended(path, model, rows, await self._page(path, filters, 0)):
            return list(rows.values())
        return await self._read_ahead(path, filters, model, rows, max(1, pages_at_once))

    async def _read_ahead(
        self, path: str, filters: Params, model: type[M], rows: dict[int, M], width: int
    ) -> list[M]:
        """The pages after the first, `width` in flight: each one answered is replaced at once by the next
        offset (a sliding window, not batches that wait for their slowest), never more than `2 * width`
        pages past the first one not yet taken. Pages are taken in offset order, so the list ends where a
        page is short or brings nothing new; nothing is asked for past a short page, and the reads still
        out then are cancelled. The client's in-flight limit holds across every list read at once.
        """
        reading: dict[asyncio.Task[Any], int] = {}
        answered: dict[int, Any] = {}
        taken = asked = PAGE_SIZE  # the next offset to take, and to ask for
        last: int | None = None  # the offset of the first short page seen
        try:
            while True:
                while (
                    len(reading) < width
                    and asked < taken + 2 * width * PAGE_SIZE
                    and (last is None or asked <= last)
                ):
                    reading[asyncio.ensure_future(self._page(path, filters, asked))] = asked
                    asked += PAGE_SIZE
                finished, _ = await asyncio.wait(reading, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    offset = reading.pop(task)
                    answered[offset] = page = task.result()
                    if isinstance(page, list) and len(page) < PAGE_SIZE:
                        last = offset if last is None else min(last, offset)
                while taken in answered:
                    if self._ended(path, model, rows, answered.pop(taken)):
                        return list(rows.values())
                    taken += PAGE_SIZE
        finally:
            for task in reading:
                task.cancel()
            await asyncio.gather(*reading, return_exceptions=True)

    async def _page(self, path: str, filters: Params, offset: int) -> Any:
        params = {"limit": PAGE_SIZE, **filters, "offset": offset}
        return await retry_read(self._retry, lambda: self._request("GET", path, params=params))

    @staticmethod
    def _ended(path: str, model: type[M], rows: dict[int, M], page: Any) -> bool:
        """Add a page's new rows to `rows`; whether it was the last one."""
        if not isinstance(page, list):
            raise UpstreamError(UPSTREAM, f"GET {path} did not answer a list", status=200)
        fresh = {row.id: row for row in (_parse(model, item) for item in page) if row.id not in rows}
        rows.update(fresh)
        return len(page) < PAGE_SIZE or not fresh

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        expected: tuple[int, ...] = (200,),
    ) -> Any:
        """Send one request; an expected status gives the JSON body, any other a typed error."""
        secrets = (self._token,)
        async with self._in_flight:
            response = await send(
                self._http, UPSTREAM, method, path, params=params, json=json, secrets=secrets
            )
        logger.debug("%s %s -> %s", UPSTREAM, where(method, path, secrets), response.status_code)
        if response.status_code in expected:
            return json_or_none(response)
        raise error_for_status(response, UPSTREAM, _problem, secrets)


def _problem(response: httpx.Response) -> Problem:
    """What a `{key, message, failures}` error body says, naming the call it answers."""
    body = json_or_none(response)
    envelope = body if isinstance(body, dict) else {}
    key = envelope.get("key") if isinstance(envelope.get("key"), str) else None
    text = envelope.get("message") if isinstance(envelope.get("message"), str) else response.reason_phrase
    call = where(response.request.method, response.request.url)
    return Problem(f"{call}: {text or 'no message'}", _failures(envelope), key)


def _failures(body: Mapping[str, Any]) -> list[FieldError]:
    items = body.get("failures")
    if not isinstance(items, list):
        return []
    return [
        FieldError(str(item.get("field", "")), str(item.get("message", "")))
        for item in items
        if isinstance(item, dict)
    ]


def _first_error(group: BaseExceptionGroup[UpstreamError]) -> UpstreamError:
    first = group.exceptions[0]
    return first if isinstance(first, UpstreamError) else _first_error(first)


def _parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        raise UpstreamError(UPSTREAM, f"unexpected {model.__name__} shape ({fields})") from None


def _filters(**values: str | int | None) -> dict[str, str | int]:
    return {name: value for name, value in values.items() if value is not None}


def _updated_after(moment: datetime | None) -> dict[str, str | int]:
    """`updated_at=gt:<ISO 8601>` in UTC with a `Z`, so that no `+` needs escaping; naive means UTC."""
    if moment is None:
        return {}
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return {"updated_at": "gt:" + aware.astimezone(UTC).isoformat().replace("+00:00", "Z")}
