"""The Wethod client against the Wethod simulator on loopback: the contract both sides keep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.clients.errors import Conflict, Forbidden, InvalidData, NotFound, RateLimited, Unauthorized
from app.clients.retry import RetryPolicy
from app.clients.wethod import NewAllocation, WethodClient
from app.sandbox.core import Fault, serve_in_background
from app.sandbox.wethod import (
    WETHOD_SANDBOX_COMPANY,
    WETHOD_SANDBOX_TOKEN,
    WETHOD_SANDBOX_VERSION,
    WethodSimulator,
    build_wethod_simulator,
)

FUTURE = date(2031, 3, 3)
INVALID_DATA = "You provided invalid data. Check 'failures' for details."
ALLOCATIONS = "/api/people-allocations"
WHITELISTS = "/api/timesheet-whitelists"
HEADERS = {
    "Authorization": f"Bearer {WETHOD_SANDBOX_TOKEN}",
    "Wethod-Company": WETHOD_SANDBOX_COMPANY,
    "Wethod-Version": WETHOD_SANDBOX_VERSION,
}


@dataclass
class Delays:
    seen: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@dataclass
class Served:
    """A simulator on loopback, a client pointed at it, and a raw httpx client for wire checks."""

    sim: WethodSimulator
    url: str
    delays: Delays

    def client(self, *, token: str | None = None, read_timeout: float = 5.0) -> WethodClient:
        settings = self.sim.settings_for(self.url)
        return WethodClient(
            settings["WETHOD_BASE_URL"],
            token or settings["WETHOD_TOKEN"],
            settings["WETHOD_COMPANY"],
            settings["WETHOD_VERSION"],
            timeout=httpx.Timeout(5.0, read=read_timeout),
            retry=RetryPolicy(sleep=self.delays),
        )

    def raw(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        """A raw httpx client over loopback."""
        return httpx.AsyncClient(base_url=self.url, headers=HEADERS if headers is None else headers)


def wire(sim: WethodSimulator, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A raw httpx client calling the simulator's app in process, for checks of the wire format."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app),
        base_url="http://wethod.sandbox",
        headers=HEADERS if headers is None else headers,
    )


@pytest.fixture
def sim() -> WethodSimulator:
    return build_wethod_simulator()


@pytest.fixture
async def served(sim: WethodSimulator) -> AsyncIterator[Served]:
    async with serve_in_background(sim.app) as url:
        yield Served(sim, url, Delays())


@pytest.fixture
async def client(served: Served) -> AsyncIterator[WethodClient]:
    async with served.client() as wethod:
        yield wethod


def own_and_other_projects(sim: WethodSimulator) -> tuple[int, int]:
    """A project the token's person is PM or Account of, and one they are neither."""
    me = sim.access.me_id
    own = [p.id for p in sim.state.projects.values() if me in (p.pm_id, p.account_id)]
    other = [p.id for p in sim.state.projects.values() if me not in (p.pm_id, p.account_id)]
    return own[0], other[0]


async def test_settings_point_at_the_served_simulator(served: Served) -> None:
    assert served.sim.settings_for(served.url) == {
        "WETHOD_BASE_URL": served.url,
        "WETHOD_TOKEN": WETHOD_SANDBOX_TOKEN,
        "WETHOD_COMPANY": "acme",
        "WETHOD_VERSION": "2024-06-15",
    }


async def test_allocations_are_created_listed_and_soft_deleted(served: Served, client: WethodClient) -> None:
    created = await client.create_allocation(
        NewAllocation(person_id=3, project_id=1001, date=FUTURE, hours=6)
    )
    assert not created.recovered
    listed = await client.list_allocations(date=FUTURE.isoformat(), person_id=3)
    assert listed == [created.value]
    assert await client.delete_allocation(created.value.id) is True
    assert await client.list_allocations(person_id=3) == []
    async with served.raw() as raw:
        deleted = (await raw.get(ALLOCATIONS, params={"deleted": "only"})).json()
        included = (await raw.get(ALLOCATIONS, params={"deleted": "include"})).json()
    assert [row["id"] for row in deleted] == [row["id"] for row in included] == [created.value.id]
    assert deleted[0]["deleted_at"] is not None
    assert await client.delete_allocation(created.value.id) is False, "a second delete finds it gone"
    gone = await client.allocation_on(created.value.id, FUTURE, 3)
    assert gone is not None
    assert gone.deleted_at is not None


async def test_an_allocation_s_hours_are_updated_and_nothing_else(client: WethodClient) -> None:
    created = await client.create_allocation(
        NewAllocation(person_id=3, project_id=1001, date=FUTURE, hours=6)
    )
    updated = await client.update_allocation_hours(created.value.id, 2)
    assert (updated.id, updated.hours, updated.date, updated.person_id) == (created.value.id, 2, FUTURE, 3)
    with pytest.raises(InvalidData):
        await client.update_allocation_hours(created.value.id, 9)
    assert await client.delete_allocation(created.value.id)
    with pytest.raises(NotFound):
        await client.update_allocation_hours(created.value.id, 3)


async def test_whitelist_entries_are_added_listed_and_removed(served: Served, client: WethodClient) -> None:
    created = await client.add_timesheet_whitelist(1002, 5)
    assert (created.value.project_id, created.value.person_id, created.recovered) == (1002, 5, False)
    assert await client.list_timesheet_whitelists(project_id=1002) == [created.value]
    await client.delete_timesheet_whitelist(created.value.id)
    assert await client.list_timesheet_whitelists() == []
    assert served.sim.state.whitelists == {}


async def test_a_duplicate_whitelist_entry_is_a_conflict(client: WethodClient) -> None:
    await client.add_timesheet_whitelist(1002, 5)
    with pytest.raises(Conflict) as caught:
        await client.add_timesheet_whitelist(1002, 5)
    assert (caught.value.status, caught.value.code) == (409, "invalid_action")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": HEADERS["Authorization"]},
        {**HEADERS, "Wethod-Company": "globex"},
        {k: v for k, v in HEADERS.items() if k != "Wethod-Version"},
        {**HEADERS, "Wethod-Version": "2019-01-01"},
    ],
    ids=["no-wethod-headers", "other-company", "no-version", "unknown-version"],
)
async def test_a_missing_or_wrong_company_or_version_is_a_precondition_failure(
    served: Served, headers: dict[str, str]
) -> None:
    async with served.raw(headers) as raw:
        response = await raw.get("/api/persons/me")
    assert response.status_code == 412
    assert set(response.json()) == {"key", "message"}
    assert response.json()["key"] == "precondition_failure"


async def test_a_wrong_token_is_refused_and_never_shown(served: Served) -> None:
    wrong = "wrong-token-0123456789"
    async with served.client(token=wrong) as wethod:
        with pytest.raises(Unauthorized) as caught:
            await wethod.get_me()
    assert wrong not in str(caught.value)
    assert WETHOD_SANDBOX_TOKEN not in str(caught.value)
    async with served.raw({k: v for k, v in HEADERS.items() if k != "Authorization"}) as raw:
        response = await raw.get("/api/persons/me")
    assert response.status_code == 401
    assert set(response.json()) == {"key", "message"}


async def test_lists_page_over_more_than_a_hundred_rows(served: Served, client: WethodClient) -> None:
    for n in range(250):
        served.sim.state.add_allocation(1 + n % 30, 1000 + n % 20, FUTURE + timedelta(days=n), 1 + n % 8)
    rows = await client.list_allocations()
    assert [row.id for row in rows] == sorted(served.sim.state.allocations)
    assert len(served.sim.control.calls_to("GET", ALLOCATIONS)) == 3


async def test_persons_and_projects_can_be_listed_incrementally(served: Served, client: WethodClient) -> None:
    persons, projects = await client.list_persons(), await client.list_projects()
    assert len(persons) == len(served.sim.state.company.people)
    assert persons[0].full_name == f"{persons[0].name} {persons[0].surname}"
    since_persons = max(p.updated_at for p in persons if p.updated_at)
    since_projects = max(p.updated_at for p in projects if p.updated_at)
    assert await client.list_persons(updated_after=since_persons) == []
    served.sim.state.update_person(3, surname="Nuovo")
    served.sim.state.update_project(1004, is_archived=True)
    changed = await client.list_persons(updated_after=since_persons)
    assert [(p.id, p.surname) for p in changed] == [(3, "Nuovo")]
    assert [(p.id, p.is_archived) for p in await client.list_projects(updated_after=since_projects)] == [
        (1004, True)
    ]


async def test_me_and_a_project_are_read_by_id(served: Served, client: WethodClient) -> None:
    me = await client.get_me()
    demo = served.sim.state.company.people[0]
    assert (me.id, me.name, me.surname, me.email, me.role) == (
        demo.id,
        demo.first_name,
        demo.last_name,
        demo.email,
        demo.role,
    )
    project = await client.get_project(1003)
    assert (project.name, project.job_order) == (
        served.sim.state.projects[1003].name,
        served.sim.state.projects[1003].job_order,
    )
    with pytest.raises(NotFound):
        await client.get_project(99)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"person_id": 3, "project_id": 1001, "date": "2031-03-03", "hours": 9}, {"hours"}),
        ({"person_id": 3, "project_id": 1001, "date": "2031-02-30", "hours": 4}, {"date"}),
        ({"person_id": "3", "project_id": 1001, "date": "2031-03-03", "hours": 4}, {"person_id"}),
        ({"person_id": 3, "project_id": 99999, "date": "2031-03-03", "hours": 0}, {"project_id", "hours"}),
        ({"project_id": 1001, "date": "20310303", "hours": 4.5}, {"person_id", "date", "hours"}),
    ],
)
async def test_invalid_allocations_are_refused_field_by_field(
    sim: WethodSimulator, body: dict[str, Any], fields: set[str]
) -> None:
    async with wire(sim) as raw:
        response = await raw.post(ALLOCATIONS, json=body)
    assert response.status_code == 400
    payload = response.json()
    assert set(payload) == {"key", "message", "failures"}
    assert payload["key"] == "invalid_data"
    assert payload["message"] == "You provided invalid data. Check 'failures' for details."
    assert {f["field"] for f in payload["failures"]} == fields
    assert sim.state.allocations == {}


async def test_the_client_reports_which_fields_were_refused(client: WethodClient) -> None:
    with pytest.raises(InvalidData) as caught:
        await client.create_allocation(NewAllocation(person_id=3, project_id=1001, date=FUTURE, hours=12))
    assert [f.field for f in caught.value.failures] == ["hours"]


@pytest.mark.parametrize(
    ("query", "expected_days"),
    [
        ({"date": "2031-03-04"}, [4]),
        ({"date": "gt:2031-03-04"}, [5, 6]),
        ({"date": "lt:2031-03-04"}, [3]),
        ({"person_id": "4"}, [4]),
        ({"project_id": "1002", "person_id": "5"}, [5]),
        ({"limit": "2", "offset": "1"}, [4, 5]),
    ],
)
async def test_list_filters_follow_the_operator_syntax(
    sim: WethodSimulator, query: dict[str, str], expected_days: list[int]
) -> None:
    for day in range(3, 7):
        sim.state.add_allocation(day, 1001 if day < 5 else 1002, date(2031, 3, day), 2)
    async with wire(sim) as raw:
        response = await raw.get(ALLOCATIONS, params=query)
    assert response.status_code == 200
    assert [date.fromisoformat(row["date"]).day for row in response.json()] == expected_days


@pytest.mark.parametrize(
    ("query", "operator"),
    [
        ({"date": "bt:2031-03-04,2031-03-05"}, "bt"),
        ({"date": "eq:2031-03-04"}, "eq"),
        ({"date": "neq:2031-03-04"}, "neq"),
        ({"date": "gte:2031-03-04"}, "gte"),
        ({"date": "lte:2031-03-04"}, "lte"),
        ({"date": "in:2031-03-03,2031-03-06"}, "in"),
        ({"date": "nin:2031-03-03,2031-03-06"}, "nin"),
        ({"person_id": "in:3,4"}, "in"),
        ({"person_id": "lt:6"}, "lt"),
    ],
)
async def test_an_operator_the_allocation_list_does_not_document_is_invalid_data(
    sim: WethodSimulator, query: dict[str, str], operator: str
) -> None:
    sim.state.add_allocation(3, 1001, FUTURE, 2)
    async with wire(sim) as raw:
        response = await raw.get(ALLOCATIONS, params=query)
    assert response.status_code == 400
    body = response.json()
    assert (body["key"], body["message"]) == ("invalid_data", INVALID_DATA)
    ((field_name, _),) = query.items()
    assert [f["field"] for f in body["failures"]] == [field_name]
    assert f"does not take {operator}:" in body["failures"][0]["message"]


async def test_a_filter_given_twice_is_invalid_data_rather_than_half_read(sim: WethodSimulator) -> None:
    sim.state.add_allocation(3, 1001, FUTURE, 2)
    async with wire(sim) as raw:
        response = await raw.get(ALLOCATIONS, params=[("date", "gt:2031-03-01"), ("date", "lt:2031-03-05")])
    assert response.status_code == 400
    assert response.json()["failures"] == [{"field": "date", "message": "Give this parameter once."}]


def _stamp(sim: WethodSimulator, person_id: int) -> str:
    moment = sim.state.persons[person_id].updated_at
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("template", "kept"),
    [
        ("eq:{4}", {4}),
        ("gt:{34}", {35, 36}),
        ("gte:{34}", {34, 35, 36}),
        ("lt:{3}", {1, 2}),
        ("lte:{3}", {1, 2, 3}),
        ("in:{3},{6}", {3, 6}),
        ("bt:{4},{6}", {4, 5, 6}),
        ("nin:{3},{6}", set(range(1, 37)) - {3, 6}),
        ("neq:{4}", set(range(1, 37)) - {4}),
    ],
)
async def test_the_persons_list_takes_every_operator_its_page_documents(
    sim: WethodSimulator, template: str, kept: set[int]
) -> None:
    value = template.format("", *(_stamp(sim, n) for n in range(1, 37)))
    async with wire(sim) as raw:
        response = await raw.get("/api/persons", params={"updated_at": value})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()} == kept


async def test_updated_at_filters_take_offsets(sim: WethodSimulator) -> None:
    row = sim.state.add_allocation(3, 1001, FUTURE, 2)
    before = (row.updated_at - timedelta(seconds=1)).astimezone(UTC).isoformat()
    async with wire(sim) as raw:
        response = await raw.get(ALLOCATIONS, params={"updated_at": f"gt:{before}"})
    assert [r["id"] for r in response.json()] == [row.id]


@pytest.mark.parametrize(
    ("query", "field_name"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"deleted": "maybe"}, "deleted"),
        ({"date": "gt:tomorrow"}, "date"),
        ({"date": "bt:2031-01-01"}, "date"),
        ({"person_id": "abc"}, "person_id"),
    ],
)
async def test_a_bad_list_query_is_invalid_data(
    sim: WethodSimulator, query: dict[str, str], field_name: str
) -> None:
    async with wire(sim) as raw:
        response = await raw.get(ALLOCATIONS, params=query)
    assert response.status_code == 400
    assert [f["field"] for f in response.json()["failures"]] == [field_name]


async def test_unknown_ids_and_routes_answer_not_found(sim: WethodSimulator) -> None:
    async with wire(sim) as raw:
        for path in ("/api/people-allocations/77", "/api/timesheet-whitelists/abc", "/api/nothing-here"):
            method = "GET" if path == "/api/nothing-here" else "DELETE"
            response = await raw.request(method, path)
            assert response.status_code == 404
            assert response.json()["key"] == "not_found"


async def test_the_permission_set_decides_what_the_token_may_do() -> None:
    sim = build_wethod_simulator(permissions={"planning.modify", "pipeline.edit"})
    own, other = own_and_other_projects(sim)
    today = datetime.now(UTC).date()
    async with serve_in_background(sim.app) as url, Served(sim, url, Delays()).client() as wethod:
        await wethod.create_allocation(NewAllocation(person_id=3, project_id=own, date=FUTURE, hours=2))
        await wethod.add_timesheet_whitelist(own, 3)
        await wethod.get_me()
        refused: list[Callable[[], Awaitable[Any]]] = [
            lambda: wethod.create_allocation(
                NewAllocation(person_id=3, project_id=other, date=FUTURE, hours=2)
            ),
            lambda: wethod.create_allocation(NewAllocation(person_id=3, project_id=own, date=today, hours=2)),
            lambda: wethod.add_timesheet_whitelist(other, 3),
            lambda: wethod.delete_allocation(sim.state.add_allocation(3, other, FUTURE, 2).id),
            lambda: wethod.delete_timesheet_whitelist(sim.state.add_whitelist(other, 4).id),
            lambda: wethod.list_persons(),
        ]
        for call in refused:
            with pytest.raises(Forbidden):
                await call()
    assert (len(sim.state.live_allocations()), len(sim.state.whitelists)) == (2, 2)


async def test_the_rate_limit_answers_429_with_the_wait_in_seconds() -> None:
    sim = build_wethod_simulator(rate_limit=2)
    async with serve_in_background(sim.app) as url:
        async with Served(sim, url, Delays()).raw() as raw:
            assert [(await raw.get("/api/persons/me")).status_code for _ in range(2)] == [200, 200]
            limited = await raw.get("/api/persons/me")
        assert limited.status_code == 429
        assert 0 < int(limited.headers["x-ratelimit-retry-after"]) <= 3600
        async with Served(sim, url, Delays()).client() as wethod:
            with pytest.raises(RateLimited) as caught:
                await wethod.get_me()
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0


@pytest.mark.parametrize(
    ("status", "header"), [(429, "x-ratelimit-retry-after"), (503, "Retry-After"), (500, None)]
)
async def test_injected_faults_answer_in_wethods_shape(
    sim: WethodSimulator, status: int, header: str | None
) -> None:
    sim.control.faults.append(Fault(status=status, retry_after=2.5, path_prefix="/api/persons"))
    async with wire(sim) as raw:
        response = await raw.get("/api/persons/me")
    assert response.status_code == status
    assert set(response.json()) == {"key", "message"}
    if header:
        assert response.headers[header] == "2.5"
    else:
        assert "retry-after" not in response.headers


async def test_the_client_waits_out_an_injected_rate_limit(served: Served, client: WethodClient) -> None:
    served.sim.control.faults.append(Fault(status=429, retry_after=3, method="GET"))
    assert len(await client.list_projects()) == len(served.sim.state.projects)
    assert served.delays.seen == [3.0]


async def test_reset_puts_the_demo_company_back(served: Served, client: WethodClient) -> None:
    await client.add_timesheet_whitelist(1002, 5)
    served.sim.state.update_person(3, surname="Nuovo")
    async with httpx.AsyncClient(base_url=served.url) as raw:
        assert (await raw.post("/_sandbox/reset")).status_code == 200
    assert served.sim.state.whitelists == {}
    assert served.sim.state.persons[3].surname == served.sim.state.company.person(3).last_name


CREATES: dict[str, tuple[str, Callable[[WethodClient], Awaitable[Any]]]] = {
    "allocation": (
        ALLOCATIONS,
        lambda c: c.create_allocation(NewAllocation(person_id=3, project_id=1001, date=FUTURE, hours=4)),
    ),
    "whitelist": (WHITELISTS, lambda c: c.add_timesheet_whitelist(1001, 3)),
}


def stored(sim: WethodSimulator, kind: str) -> list[Any]:
    table: dict[int, Any] = sim.state.allocations if kind == "allocation" else sim.state.whitelists
    return list(table.values())


@pytest.mark.parametrize("kind", sorted(CREATES))
@pytest.mark.parametrize("lost", ["read-timeout", "504"])
async def test_a_create_whose_answer_is_lost_after_commit_exists_once(
    served: Served, kind: str, lost: str
) -> None:
    path, create = CREATES[kind]
    if lost == "read-timeout":
        fault = Fault(after_commit=True, delay_seconds=1.0, method="POST", path_prefix=path)
    else:
        fault = Fault(after_commit=True, status=504, method="POST", path_prefix=path)
    served.sim.control.faults.append(fault)
    async with served.client(read_timeout=0.3) as wethod:
        created = await create(wethod)
    rows = stored(served.sim, kind)
    assert len(rows) == 1
    assert created.recovered
    assert created.value.id == rows[0].id
    assert served.sim.control.calls_to("GET", path)
