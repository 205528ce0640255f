"""The Procore simulator's contract, and the Procore client against it served on loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.clients.errors import InvalidData, NotFound, RateLimited, Unauthorized
from app.clients.procore import NewProjectPerson, ProcoreClient
from app.clients.retry import RetryPolicy
from app.sandbox.core import Fault, serve_in_background
from app.sandbox.procore import (
    PROCORE_SANDBOX_CLIENT_ID,
    PROCORE_SANDBOX_CLIENT_SECRET,
    PROCORE_SANDBOX_COMPANY_ID,
    ProcoreSimulator,
    build_procore_simulator,
)
from app.sandbox.procore.state import PROJECT_ID_BASE

API = "/rest/v1.0"
PROJECT_ID = PROJECT_ID_BASE + 1000
PEOPLE = f"{API}/projects/{PROJECT_ID}/people"
USERS = f"{API}/companies/{PROCORE_SANDBOX_COMPANY_ID}/users"
RATE_HEADERS = {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"}


@dataclass
class SkewedClock:
    """Wall time moved forward by hand; retry waits computed from the real clock still line up."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Delays:
    seen: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@asynccontextmanager
async def client_of(sim: ProcoreSimulator, **options: Any) -> AsyncIterator[ProcoreClient]:
    options.setdefault("retry", RetryPolicy(sleep=Delays()))
    async with serve_in_background(sim.app) as url:
        settings = sim.settings_for(url)
        async with ProcoreClient(
            settings["PROCORE_BASE_URL"],
            settings["PROCORE_TOKEN_URL"],
            settings["PROCORE_CLIENT_ID"],
            settings["PROCORE_CLIENT_SECRET"],
            int(settings["PROCORE_COMPANY_ID"]),
            **options,
        ) as client:
            yield client


@asynccontextmanager
async def raw(sim: ProcoreSimulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain client that already holds a token and sends the company header."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(sim.app), base_url="http://procore.test"
    ) as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        }
        token = (await http.post("/oauth/token", data=form)).json()["access_token"]
        http.headers.update(
            {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(PROCORE_SANDBOX_COMPANY_ID)}
        )
        yield http


def people_named(sim: ProcoreSimulator, last_name: str) -> list[dict[str, Any]]:
    return [p for p in sim.state.people[PROJECT_ID] if p["last_name"] == last_name]


async def test_the_client_reads_the_demo_company_through_a_client_credentials_token() -> None:
    sim = build_procore_simulator()
    async with client_of(sim) as client:
        active = await client.list_projects()
        every = await client.list_projects(include_inactive=True)
        users = await client.list_company_users()
        classifications = await client.list_work_classifications()
        people = await client.list_project_people(PROJECT_ID)
    company = sim.state.company
    assert len(every) == len(company.projects)
    assert {p.project_number for p in active} == {p.job_order for p in company.projects if not p.archived}
    assert {u.email_address for u in users} == {p.email for p in company.people}
    assert [c.name for c in classifications][:2] == ["Project Manager", "Carpenter"]
    pm = company.person(company.projects[0].pm_id)
    assert [(p.first_name, p.last_name) for p in people] == [(pm.first_name, pm.last_name)]
    assert len(sim.control.calls_to("POST", "/oauth/token")) == 1


async def test_a_new_person_is_created_with_201_and_kept_in_the_project() -> None:
    sim = build_procore_simulator()
    new = NewProjectPerson(
        last_name="Ruiz", first_name="Ana", job_title="Foreman", work_classification_id=102
    )
    async with client_of(sim) as client:
        created = await client.create_project_person(PROJECT_ID, new, view="web")
    assert created.recovered is False
    assert (created.value.job_title, created.value.work_classification_id) == ("Foreman", 102)
    assert [c.status for c in sim.control.calls_to("POST", PEOPLE)] == [201]
    assert [p["id"] for p in people_named(sim, "Ruiz")] == [created.value.id]


async def test_a_blank_last_name_an_unknown_classification_and_an_unknown_project_are_refused() -> None:
    sim = build_procore_simulator()
    async with client_of(sim) as client:
        with pytest.raises(InvalidData) as blank:
            await client.create_project_person(PROJECT_ID, NewProjectPerson(last_name="  ", first_name="Ana"))
        with pytest.raises(InvalidData) as unknown:
            await client.create_project_person(
                PROJECT_ID, NewProjectPerson(last_name="Ruiz", work_classification_id=9)
            )
        with pytest.raises(NotFound):
            await client.create_project_person(PROJECT_ID + 999, NewProjectPerson(last_name="Ruiz"))
    assert str(blank.value) == "Procore answered 400: last_name: can't be blank"
    assert str(unknown.value) == "Procore answered 422: work_classification_id: does not exist"
    assert len(sim.state.people[PROJECT_ID]) == 1


async def test_many_people_are_read_across_pages() -> None:
    sim = build_procore_simulator()
    for index in range(1100):
        sim.state.add_person(PROJECT_ID, {"last_name": f"Reference {index}"})
    async with client_of(sim) as client:
        people = await client.list_project_people(PROJECT_ID)
    assert len({p.id for p in people}) == 1101
    assert len(sim.control.calls_to("GET", PEOPLE)) == 3


async def test_the_hourly_limit_answers_429_in_plain_text_and_recovers_when_the_window_resets() -> None:
    clock = SkewedClock()
    sim = build_procore_simulator(hourly_limit=2, clock=clock)
    async with client_of(sim, retry=RetryPolicy(attempts=1), now=clock) as client:
        await client.list_work_classifications()
        await client.list_work_classifications()
        with pytest.raises(RateLimited) as paced:
            await client.list_work_classifications()
    # The client saw Remaining reach 0 and did not send the third call; a client that did not see it
    # sends it and meets the 429.
    assert paced.value.retry_after is not None
    assert 3590 < paced.value.retry_after <= 3601
    async with client_of(sim, retry=RetryPolicy(attempts=1), now=clock) as unaware:
        with pytest.raises(RateLimited) as limited:
            await unaware.list_work_classifications()
    assert "You have surpassed the max number of requests for an hour" in str(limited.value)
    assert limited.value.retry_after is not None
    assert 3590 < limited.value.retry_after <= 3601
    async with client_of(sim, retry=RetryPolicy(max_delay=4000, sleep=clock.sleep), now=clock) as client:
        assert len(await client.list_work_classifications()) == 4
    statuses = [c.status for c in sim.control.calls_to("GET", f"{API}/companies/")]
    assert statuses == [200, 200, 429, 429, 200]


async def test_an_expired_token_is_refused_and_fetched_again() -> None:
    clock = SkewedClock()
    sim = build_procore_simulator(clock=clock)
    async with client_of(sim) as client:
        await client.list_work_classifications()
        await clock.sleep(5401)
        await client.list_work_classifications()
    assert len(sim.control.calls_to("POST", "/oauth/token")) == 2
    statuses = [c.status for c in sim.control.calls_to("GET", f"{API}/companies/")]
    assert statuses == [200, 401, 200]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(after_commit=True, delay_seconds=1.0, method="POST", path_prefix=f"{API}/projects/"),
        Fault(after_commit=True, status=504, method="POST", path_prefix=f"{API}/projects/"),
    ],
)
async def test_an_answer_lost_after_the_commit_is_recovered_without_a_second_person(fault: Fault) -> None:
    sim = build_procore_simulator()
    sim.control.faults.append(fault)
    timeout = httpx.Timeout(connect=5.0, read=0.3, write=5.0, pool=5.0)
    new = NewProjectPerson(last_name="Lost-Answer", first_name="Ana", employee_id="E-77")
    async with client_of(sim, timeout=timeout) as client:
        created = await client.create_project_person(PROJECT_ID, new)
    stored = people_named(sim, "Lost-Answer")
    assert len(stored) == 1
    assert (created.value.id, created.recovered) == (stored[0]["id"], True)
    assert len(sim.control.calls_to("POST", PEOPLE)) == 1


async def test_the_token_endpoint_takes_form_or_multipart_fields_and_refuses_a_wrong_secret() -> None:
    sim = build_procore_simulator()
    fields = {"grant_type": "client_credentials", "client_id": PROCORE_SANDBOX_CLIENT_ID}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(sim.app), base_url="http://procore.test"
    ) as http:
        multipart = {name: (None, value) for name, value in fields.items()}
        multipart["client_secret"] = (None, PROCORE_SANDBOX_CLIENT_SECRET)
        issued = await http.post("/oauth/token", files=multipart)
        refused = await http.post("/oauth/token", data={**fields, "client_secret": "wrong"})
        other_grant = await http.post("/oauth/token", data={**fields, "grant_type": "password"})
    assert issued.status_code == 200
    assert issued.json()["token_type"] == "bearer"
    assert issued.json()["expires_in"] == 5400
    assert issued.json()["access_token"] in sim.state.tokens
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert (other_grant.status_code, other_grant.json()["error"]) == (400, "unsupported_grant_type")


async def test_wrong_credentials_are_unauthorized_and_the_secret_stays_out_of_the_error() -> None:
    sim = build_procore_simulator()
    settings = sim.settings_for("http://procore.test")
    secret = "not-the-sandbox-secret"
    urls = settings["PROCORE_BASE_URL"], settings["PROCORE_TOKEN_URL"]
    async with ProcoreClient(
        *urls, sim.client_id, secret, sim.company_id, transport=httpx.ASGITransport(sim.app)
    ) as client:
        with pytest.raises(Unauthorized) as refused:
            await client.list_projects()
    assert str(refused.value).startswith("Procore answered 401: no access token: The client id or")
    assert secret not in str(refused.value)
    assert sim.control.calls_to("GET", API) == []


async def test_api_calls_need_a_valid_token_and_this_companys_header_and_always_carry_rate_headers() -> None:
    sim = build_procore_simulator(hourly_limit=100)
    async with raw(sim) as http:
        fine = await http.get(USERS)
        no_token = await http.get(USERS, headers={"Authorization": "Bearer forged"})
        no_company = await http.get(USERS, headers={"Procore-Company-Id": ""})
        other_company = await http.get(USERS, headers={"Procore-Company-Id": "77"})
    assert fine.status_code == 200
    assert (no_token.status_code, no_token.json()) == (401, {"errors": "The access token is invalid"})
    assert no_company.status_code == 404
    assert "Missing Procore-Company-Id header" in no_company.json()["errors"]
    assert other_company.status_code == 403
    for answer in (fine, no_token, no_company, other_company):
        assert set(answer.headers) >= RATE_HEADERS
    assert [fine.headers["x-rate-limit-limit"], fine.headers["x-rate-limit-remaining"]] == ["100", "99"]


@pytest.mark.parametrize(
    ("page", "links"),
    [
        (1, {"next": 2, "last": 8}),
        (4, {"first": 1, "prev": 3, "next": 5, "last": 8}),
        (8, {"first": 1, "prev": 7}),
        (9, {"first": 1, "prev": 8}),
    ],
)
async def test_pages_carry_total_per_page_and_the_links_that_exist(page: int, links: dict[str, int]) -> None:
    sim = build_procore_simulator()
    async with raw(sim) as http:
        answer = await http.get(USERS, params={"page": page, "per_page": 5})
    assert answer.headers["Total"] == "36"
    assert answer.headers["Per-Page"] == "5"
    assert {rel: int(httpx.URL(link["url"]).params["page"]) for rel, link in answer.links.items()} == links
    assert len(answer.json()) == {8: 1, 9: 0}.get(page, 5)


async def test_the_create_contract_person_object_views_and_repeated_names() -> None:
    sim = build_procore_simulator()
    async with raw(sim) as http:
        missing = await http.post(PEOPLE, json={"last_name": "Ruiz"})
        wrong_type = await http.post(PEOPLE, json={"person": {"last_name": "Ruiz", "is_employee": "yes"}})
        normal = await http.post(PEOPLE, params={"view": "gallery"}, json={"person": {"last_name": "Ruiz"}})
        extended = await http.post(
            PEOPLE,
            params={"view": "extended"},
            json={"person": {"last_name": "Ruiz", "work_classification_id": 103}},
        )
    assert (missing.status_code, wrong_type.status_code) == (400, 400)
    assert wrong_type.json() == {"errors": {"is_employee": ["is invalid"]}}
    assert normal.status_code == 201
    assert "work_classification" not in normal.json()
    assert normal.json()["user_id"] is None
    assert extended.json()["work_classification"] == {"id": 103, "name": "Electrician"}
    assert len(people_named(sim, "Ruiz")) == 2


async def test_injected_faults_answer_as_procore_does() -> None:
    sim = build_procore_simulator()
    faults = [Fault(status=429, retry_after=2), Fault(status=503, retry_after=5), Fault(status=500)]
    async with raw(sim) as http:
        sim.control.faults += faults
        limited, unavailable, broken = [await http.get(USERS) for _ in faults]
    assert limited.headers["content-type"].startswith("text/plain")
    assert limited.text.startswith("You have surpassed")
    assert limited.headers["Retry-After"] == "2"
    assert set(limited.headers) >= RATE_HEADERS
    assert unavailable.json() == {"errors": "Service Unavailable"}
    assert unavailable.headers["Retry-After"] == "5"
    assert broken.json() == {"errors": "Internal Server Error"}
    assert "Retry-After" not in broken.headers


async def test_reset_brings_back_the_demo_data() -> None:
    sim = build_procore_simulator()
    async with raw(sim) as http:
        await http.post(PEOPLE, json={"person": {"last_name": "Ruiz"}})
        await http.post("/_sandbox/reset")
        after = await http.get(PEOPLE)
    assert len(after.json()) == 1
    assert people_named(sim, "Ruiz") == []


def test_the_settings_point_the_app_at_the_simulator() -> None:
    sim = build_procore_simulator(company_id=99, client_id="id", client_secret="shh")
    assert sim.settings_for("http://127.0.0.1:5005") == {
        "PROCORE_BASE_URL": "http://127.0.0.1:5005",
        "PROCORE_TOKEN_URL": "http://127.0.0.1:5005/oauth/token",
        "PROCORE_CLIENT_ID": "id",
        "PROCORE_CLIENT_SECRET": "shh",
        "PROCORE_COMPANY_ID": "99",
    }


@dataclass
class FakeClock:
    """Unix time that moves only when someone sleeps on it."""

    now: float = 1_800_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def in_process(sim: ProcoreSimulator, clock: FakeClock) -> ProcoreClient:
    """A client of the simulator's app in this process, sleeping and telling time on `clock`."""
    settings = sim.settings_for("http://procore.test")
    return ProcoreClient(
        settings["PROCORE_BASE_URL"],
        settings["PROCORE_TOKEN_URL"],
        sim.client_id,
        sim.client_secret,
        sim.company_id,
        transport=httpx.ASGITransport(sim.app),
        retry=RetryPolicy(sleep=clock.sleep),
        now=clock,
    )


async def test_the_client_waits_out_the_spike_window_before_the_limit_is_hit() -> None:
    clock = FakeClock()
    sim = build_procore_simulator(spike_limit=3, clock=clock)
    async with in_process(sim, clock) as client:
        for _ in range(7):
            await client.list_work_classifications()
    assert clock.slept == [10.0, 10.0]
    statuses = [c.status for c in sim.control.calls_to("GET", f"{API}/companies/")]
    assert statuses == [200] * 7


async def test_both_windows_are_kept_and_each_answer_reports_the_one_closer_to_running_out() -> None:
    clock = FakeClock()
    sim = build_procore_simulator(hourly_limit=4, spike_limit=3, clock=clock)
    answers = []
    async with raw(sim) as http:
        for wait in (0, 0, 0, 0, 10, 0):
            clock.now += wait
            answers.append(await http.get(USERS))
    reported = [
        (a.status_code, a.headers["x-rate-limit-limit"], a.headers["x-rate-limit-remaining"]) for a in answers
    ]
    assert reported == [
        (200, "3", "2"),
        (200, "3", "1"),
        (200, "3", "0"),
        (429, "3", "0"),
        (200, "4", "0"),
        (429, "4", "0"),
    ]
    spike_limited, hour_limited = answers[3], answers[5]
    assert spike_limited.text == hour_limited.text
    assert spike_limited.headers["Retry-After"] == "10"
    assert 3580 <= int(hour_limited.headers["Retry-After"]) <= 3590
    assert int(hour_limited.headers["x-rate-limit-reset"]) == int(clock.now) - 10 + 3600


async def test_a_project_persons_email_comes_from_contact_email() -> None:
    sim = build_procore_simulator()
    async with client_of(sim) as client:
        people = await client.list_project_people(PROJECT_ID)
    company = sim.state.company
    pm = company.person(company.projects[0].pm_id)
    [shown] = sim.state.people[PROJECT_ID]
    assert "email" not in sim.state.render_person(shown, "normal")
    assert [p.email_address for p in people] == [pm.email]


async def test_a_person_kept_without_its_origin_id_is_found_by_name_title_and_time() -> None:
    sim = build_procore_simulator()
    # What the project holds when Procore kept the person sent by an earlier attempt but not its origin id.
    kept = sim.state.add_person(
        PROJECT_ID, {"last_name": "Origin-Less", "first_name": "Ana", "job_title": "Foreman"}
    )
    new = NewProjectPerson(
        last_name="Origin-Less", first_name="Ana", job_title="Foreman", origin_id="staffdesk:r9"
    )
    approved = datetime.now(UTC) - timedelta(minutes=5)
    async with client_of(sim) as client:
        created = await client.create_project_person(PROJECT_ID, new, look_first=True, sent_since=approved)
    assert (created.value.id, created.recovered) == (kept["id"], True)
    assert sim.control.calls_to("POST", PEOPLE) == []
