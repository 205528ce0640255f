"""The Wethod client against recorded answers: headers, paging, filters, typed errors and retries."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.clients.errors import (
    Conflict,
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
from app.clients.retry import RetryPolicy
from app.clients.wethod import BearerToken, NewAllocation, WethodClient

FIXTURES = Path(__file__).parents[2] / "fixtures" / "wethod"
TOKEN = "wt-9f8e7d6c5b4a-secret"
BASE_URL = "https://api.wethod.test"
NEW = NewAllocation(person_id=12, project_id=1003, date=date(2026, 12, 1), hours=4)

Handler = Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass
class Delays:
    """A RetryPolicy sleep that records instead of waiting."""

    seen: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@dataclass
class Recorder:
    """A MockTransport handler that records requests and answers from a script."""

    answers: list[httpx.Response | Exception]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(handler: Handler, delays: Delays | None = None) -> WethodClient:
    return WethodClient(
        BASE_URL,
        TOKEN,
        "acme",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=delays or Delays(), jitter=lambda: 0.0),
    )


def answer(name: str, status: int | None = None, **headers: str) -> httpx.Response:
    code = status if status is not None else int(name.rsplit("_", 1)[1])
    return httpx.Response(code, json=fixture(name), headers=headers)


CALLS: dict[str, Callable[[WethodClient], Awaitable[Any]]] = {
    "people_allocations_create": lambda c: c.create_allocation(NEW),
    "people_allocations_list": lambda c: c.list_allocations(),
    "people_allocations_delete": lambda c: c.delete_allocation(311),
    "timesheet_whitelists_create": lambda c: c.add_timesheet_whitelist(1003, 42),
    "timesheet_whitelists_list": lambda c: c.list_timesheet_whitelists(),
    "timesheet_whitelists_delete": lambda c: c.delete_timesheet_whitelist(57),
    "persons_list": lambda c: c.list_persons(),
    "persons_me": lambda c: c.get_me(),
    "projects_list": lambda c: c.list_projects(),
    "projects_get": lambda c: c.get_project(1003),
}
ERRORS: dict[int, type[UpstreamError]] = {
    400: InvalidData,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
}
ERROR_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.json") if int(p.stem.rsplit("_", 1)[1]) in ERRORS)
GONE_FIXTURES = [name for name in ERROR_FIXTURES if name.endswith("_delete_404")]


@pytest.mark.parametrize("name", GONE_FIXTURES)
async def test_a_delete_answered_404_says_the_row_was_gone_already(name: str) -> None:
    async with make_client(Recorder([answer(name)])) as client:
        assert await CALLS[name.rsplit("_", 1)[0]](client) is False


@pytest.mark.parametrize("name", sorted(set(ERROR_FIXTURES) - set(GONE_FIXTURES)))
async def test_each_documented_error_becomes_its_typed_error(name: str) -> None:
    endpoint, status = name.rsplit("_", 1)
    body = fixture(name)
    async with make_client(Recorder([answer(name)])) as client:
        with pytest.raises(ERRORS[int(status)]) as caught:
            await CALLS[endpoint](client)
    error = caught.value
    assert (error.upstream, error.status, error.code) == ("Wethod", int(status), body["key"])
    assert body["message"] in str(error)
    assert TOKEN not in str(error)
    if isinstance(error, InvalidData):
        assert error.failures == [FieldError(f["field"], f["message"]) for f in body["failures"]]


async def test_every_call_carries_the_token_company_version_and_accept_headers() -> None:
    recorder = Recorder([answer("persons_me_200")])
    async with WethodClient(
        BASE_URL, TOKEN, "acme", "2025-01-01", transport=httpx.MockTransport(recorder)
    ) as client:
        me = await client.get_me()
    request = recorder.requests[0]
    assert request.url == f"{BASE_URL}/api/persons/me"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Wethod-Company"] == "acme"
    assert request.headers["Wethod-Version"] == "2025-01-01"
    assert request.headers["Accept"] == "application/json"
    assert (me.id, me.full_name, me.role, me.role_id) == (1, "Ana Rossi", "super user", 1)


async def test_create_allocation_posts_json_numbers_and_a_plain_day() -> None:
    recorder = Recorder([answer("people_allocations_create_201")])
    async with make_client(recorder) as client:
        created = await client.create_allocation(NEW)
    request = recorder.requests[0]
    assert (request.method, request.url.path) == ("POST", "/api/people-allocations")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "person_id": 12,
        "project_id": 1003,
        "date": "2026-12-01",
        "hours": 4,
    }
    assert not created.recovered
    assert (created.value.id, created.value.date, created.value.hours) == (311, date(2026, 12, 1), 4)
    assert created.value.deleted_at is None


async def test_add_timesheet_whitelist_posts_the_project_and_person() -> None:
    recorder = Recorder([answer("timesheet_whitelists_create_201")])
    async with make_client(recorder) as client:
        created = await client.add_timesheet_whitelist(1003, 42)
    assert json.loads(recorder.requests[0].content) == {"project_id": 1003, "person_id": 42}
    assert (created.value.id, created.value.project_id, created.value.person_id) == (57, 1003, 42)
    assert not created.recovered


@pytest.mark.parametrize(
    ("call", "method", "path"),
    [
        (lambda c: c.delete_allocation(311), "DELETE", "/api/people-allocations/311"),
        (lambda c: c.delete_timesheet_whitelist(57), "DELETE", "/api/timesheet-whitelists/57"),
    ],
)
async def test_deletes_address_the_resource_by_id(
    call: Callable[[WethodClient], Awaitable[None]], method: str, path: str
) -> None:
    recorder = Recorder([httpx.Response(200, json={"message": "deleted"})])
    async with make_client(recorder) as client:
        assert await call(client) is True
    assert (recorder.requests[0].method, recorder.requests[0].url.path) == (method, path)


async def test_list_filters_are_sent_as_given_with_the_page_size() -> None:
    recorder = Recorder([answer("people_allocations_list_200")])
    async with make_client(recorder) as client:
        rows = await client.list_allocations(date="gt:2026-11-30", person_id=12, project_id=1003)
    assert [row.id for row in rows] == [311, 312]
    assert dict(recorder.requests[0].url.params) == {
        "limit": "100",
        "date": "gt:2026-11-30",
        "person_id": "12",
        "project_id": "1003",
        "offset": "0",
    }


async def test_whitelist_listing_filters_by_project_and_person() -> None:
    recorder = Recorder([answer("timesheet_whitelists_list_200")])
    async with make_client(recorder) as client:
        rows = await client.list_timesheet_whitelists(project_id=1003, person_id=42)
    assert len(rows) == 2
    params = recorder.requests[0].url.params
    assert (params["project_id"], params["person_id"]) == ("1003", "42")


def _allocations(first_id: int, count: int) -> list[dict[str, Any]]:
    row = fixture("people_allocations_create_201")
    return [dict(row, id=first_id + n) for n in range(count)]


async def test_paging_goes_on_until_a_page_is_shorter_than_the_limit() -> None:
    pages = [_allocations(1, 100), _allocations(101, 100), _allocations(201, 37)]
    recorder = Recorder([httpx.Response(200, json=page) for page in pages])
    async with make_client(recorder) as client:
        rows = await client.list_allocations()
    assert len(rows) == 237
    assert [r.url.params["offset"] for r in recorder.requests] == ["0", "100", "200"]


async def test_paging_stops_when_the_upstream_ignores_the_offset() -> None:
    recorder = Recorder([httpx.Response(200, json=_allocations(1, 100))])
    async with make_client(recorder) as client:
        rows = await client.list_allocations()
    assert len(rows) == 100
    assert len(recorder.requests) == 2


async def test_incremental_listing_sends_updated_at_greater_than_in_utc() -> None:
    recorder = Recorder([answer("persons_list_200"), answer("projects_list_200")])
    since = datetime(2026, 11, 2, 18, 45, 12, 331000, tzinfo=timezone(timedelta(hours=2)))
    async with make_client(recorder) as client:
        persons = await client.list_persons(updated_after=since)
        projects = await client.list_projects(updated_after=since)
    for request in recorder.requests:
        assert request.url.params["updated_at"] == "gt:2026-11-02T16:45:12.331000Z"
    assert [p.full_name for p in persons] == ["Ana Rossi", "Luca Ricci"]
    assert [(p.job_order, p.pm_id, p.is_archived) for p in projects] == [
        ("JO-2026-0004", 4, False),
        (None, None, True),
    ]


async def test_get_project_reads_one_project_and_ignores_unknown_fields() -> None:
    recorder = Recorder([answer("projects_get_200")])
    async with make_client(recorder) as client:
        project = await client.get_project(1003)
    assert recorder.requests[0].url.path == "/api/projects/1003"
    assert (project.name, project.account_id, project.is_timesheet_whitelist_enabled) == (
        "Delta ERP Rollout",
        10,
        True,
    )


async def test_a_bad_request_without_failures_still_becomes_invalid_data() -> None:
    recorder = Recorder([httpx.Response(400, json={"key": "invalid_data", "message": "Bad."})])
    async with make_client(recorder) as client:
        with pytest.raises(InvalidData) as caught:
            await client.create_allocation(NEW)
    assert caught.value.failures == []


async def test_a_non_json_error_page_becomes_a_server_error() -> None:
    page = httpx.Response(502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"})
    recorder = Recorder([page])
    async with make_client(recorder) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_me()
    assert caught.value.status == 502
    assert caught.value.code is None
    assert "Bad Gateway" in str(caught.value)


@pytest.mark.parametrize("status", [302, 418])
async def test_an_unexpected_status_becomes_a_plain_upstream_error(status: int) -> None:
    recorder = Recorder([httpx.Response(status, json={"key": "teapot", "message": "no"})])
    async with make_client(recorder) as client:
        with pytest.raises(UpstreamError) as caught:
            await client.get_project(1)
    assert type(caught.value) is UpstreamError
    assert caught.value.status == status


async def test_an_answer_of_the_wrong_shape_becomes_an_upstream_error() -> None:
    recorder = Recorder([httpx.Response(200, json={"id": "not a number"})])
    async with make_client(recorder) as client:
        with pytest.raises(UpstreamError, match="unexpected Project shape"):
            await client.get_project(1)


async def test_no_error_text_or_log_line_carries_the_token(caplog: pytest.LogCaptureFixture) -> None:
    echo = {"key": "unauthorized", "message": f"Token {TOKEN} is not valid."}
    recorder = Recorder([httpx.Response(401, json=echo)])
    caplog.set_level(logging.DEBUG)
    async with make_client(recorder) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.get_me()
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
    assert TOKEN not in repr(BearerToken(TOKEN))
    assert caplog.records
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


# Retries


@pytest.mark.parametrize(
    ("failure", "expected_delay"),
    [
        (answer("people_allocations_list_429", **{"x-ratelimit-retry-after": "3"}), 3.0),
        (answer("people_allocations_list_503", **{"Retry-After": "2"}), 2.0),
        (httpx.Response(500, json={"key": "server_error", "message": "oops"}), 0.5),
        (httpx.ConnectError("refused"), 0.5),
        (httpx.ReadTimeout("slow"), 0.5),
    ],
)
async def test_reads_are_retried_after_the_wait_the_upstream_asks_for(
    failure: httpx.Response | Exception, expected_delay: float
) -> None:
    delays = Delays()
    recorder = Recorder([failure, answer("people_allocations_list_200")])
    async with make_client(recorder, delays) as client:
        rows = await client.list_allocations(date="gte:2026-12-01")
    assert len(rows) == 2
    assert delays.seen == [expected_delay]


async def test_a_read_gives_up_after_the_last_attempt() -> None:
    delays = Delays()
    recorder = Recorder([answer("people_allocations_list_503")])
    async with make_client(recorder, delays) as client:
        with pytest.raises(ServerError):
            await client.list_allocations()
    assert len(recorder.requests) == 4
    assert delays.seen == [0.5, 1.0, 2.0]


async def test_a_rate_limit_longer_than_the_retry_budget_is_raised_at_once() -> None:
    delays = Delays()
    recorder = Recorder([answer("people_allocations_list_429", **{"x-ratelimit-retry-after": "1800"})])
    async with make_client(recorder, delays) as client:
        with pytest.raises(RateLimited) as caught:
            await client.list_allocations()
    assert caught.value.retry_after == 1800.0
    assert delays.seen == []


@dataclass
class FlakyCreates:
    """Stores what is POSTed and lists it back; the first POST fails with `failure` (if any), before or
    after storing its row as `applied` says."""

    failure: httpx.Response | Exception | None = None
    applied: bool = True
    rows: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    lookups: list[httpx.URL] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.lookups.append(request.url)
            return httpx.Response(200, json=self.rows)
        self.posts += 1
        failing = self.posts == 1 and self.failure is not None
        if failing and not self.applied:
            return self._fail()
        stamp = "2026-11-23T09:00:00.000Z"
        row = {
            "id": 500 + len(self.rows),
            **json.loads(request.content),
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.rows.append(row)
        return self._fail() if failing else httpx.Response(201, json=row)

    def _fail(self) -> httpx.Response:
        assert self.failure is not None
        if isinstance(self.failure, Exception):
            raise self.failure
        return self.failure


CREATES: dict[str, Callable[[WethodClient, bool], Awaitable[Any]]] = {
    "allocation": lambda c, look_first: c.create_allocation(NEW, look_first=look_first),
    "whitelist": lambda c, look_first: c.add_timesheet_whitelist(1003, 42, look_first=look_first),
}


@pytest.mark.parametrize("kind", sorted(CREATES))
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.Response(
            429,
            json={"key": "too_many_requests", "message": "slow"},
            headers={"x-ratelimit-retry-after": "1"},
        ),
        httpx.Response(503, json={"key": "service_unavailable", "message": "later"}),
    ],
    ids=["refused", "429", "503"],
)
async def test_a_create_that_surely_did_not_apply_is_sent_again_directly(
    kind: str, failure: httpx.Response | Exception
) -> None:
    upstream = FlakyCreates(failure, applied=False)
    async with make_client(upstream) as client:
        created = await CREATES[kind](client, False)
    assert (upstream.posts, upstream.lookups, len(upstream.rows)) == (2, [], 1)
    assert not created.recovered
    assert created.value.id == upstream.rows[0]["id"]


@pytest.mark.parametrize("kind", sorted(CREATES))
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("no answer"),
        httpx.Response(502, text="Bad gateway"),
        httpx.Response(504, json={"key": "gateway_timeout", "message": "late"}),
    ],
    ids=["read-timeout", "502", "504"],
)
async def test_a_create_whose_answer_was_lost_is_found_instead_of_created_twice(
    kind: str, failure: httpx.Response | Exception
) -> None:
    upstream = FlakyCreates(failure, applied=True)
    async with make_client(upstream) as client:
        created = await CREATES[kind](client, False)
    assert (upstream.posts, len(upstream.lookups), len(upstream.rows)) == (1, 1, 1)
    assert created.recovered
    assert created.value.id == upstream.rows[0]["id"]


async def test_a_lost_create_that_did_not_apply_is_sent_again_after_the_lookup() -> None:
    upstream = FlakyCreates(httpx.ReadTimeout("no answer"), applied=False)
    async with make_client(upstream) as client:
        created = await client.create_allocation(NEW)
    assert (upstream.posts, len(upstream.lookups), len(upstream.rows)) == (2, 1, 1)
    assert not created.recovered


async def test_the_allocation_lookup_asks_for_the_day_person_and_project() -> None:
    upstream = FlakyCreates(httpx.Response(504))
    async with make_client(upstream) as client:
        await client.create_allocation(NEW)
    params = upstream.lookups[0].params
    assert (params["date"], params["person_id"], params["project_id"]) == ("2026-12-01", "12", "1003")


async def test_the_whitelist_lookup_asks_for_the_project_and_person() -> None:
    upstream = FlakyCreates(httpx.Response(504))
    async with make_client(upstream) as client:
        await client.add_timesheet_whitelist(1003, 42)
    params = upstream.lookups[0].params
    assert (params["project_id"], params["person_id"]) == ("1003", "42")


@pytest.mark.parametrize("kind", sorted(CREATES))
async def test_look_first_finds_an_existing_resource_without_posting(kind: str) -> None:
    upstream = FlakyCreates()
    async with make_client(upstream) as client:
        first = await CREATES[kind](client, False)
        again = await CREATES[kind](client, True)
    assert upstream.posts == 1
    assert again.recovered
    assert again.value == first.value


@pytest.mark.parametrize("kind", sorted(CREATES))
async def test_look_first_creates_when_nothing_is_found(kind: str) -> None:
    upstream = FlakyCreates()
    async with make_client(upstream) as client:
        created = await CREATES[kind](client, True)
    assert (upstream.posts, len(upstream.lookups)) == (1, 1)
    assert not created.recovered


async def test_the_lookup_ignores_an_allocation_of_the_same_day_with_other_hours() -> None:
    other = dict(fixture("people_allocations_create_201"), hours=2)
    upstream = FlakyCreates(rows=[other])
    async with make_client(upstream) as client:
        created = await client.create_allocation(NEW, look_first=True)
    assert upstream.posts == 1
    assert not created.recovered
    assert created.value.hours == 4
