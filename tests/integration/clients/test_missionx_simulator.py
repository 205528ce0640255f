"""The MissionX simulator's contract, and the client against it on loopback (lost answers included)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.clients.errors import InvalidData, NotFound, Unauthorized
from app.clients.missionx import MissionXClient, NewProjectPerson
from app.clients.retry import RetryPolicy
from app.integrations.missionx import MissionXDirectorySource
from app.sandbox.core import Fault, serve_in_background
from app.sandbox.demo import demo_company
from app.sandbox.missionx import (
    MISSIONX_SANDBOX_CLIENT_ID,
    MISSIONX_SANDBOX_CLIENT_SECRET,
    MISSIONX_SANDBOX_ORG_ID,
    MissionXSimulator,
    build_missionx_simulator,
)

OBJECT_ID = re.compile(r"[0-9a-f]{24}")
EMAIL = "new.hire@partner.example"
CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": MISSIONX_SANDBOX_CLIENT_ID,
    "client_secret": MISSIONX_SANDBOX_CLIENT_SECRET,
}


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> MissionXSimulator:
    return build_missionx_simulator(demo_company(projects=95), clock=clock)


@pytest.fixture
async def raw(sim: MissionXSimulator) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to the simulator app, for the contract itself."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(sim.app), base_url="http://mx.local") as http:
        yield http


async def bearer(raw: httpx.AsyncClient) -> dict[str, str]:
    answer = await raw.post("/auth/token", data=CREDENTIALS, headers={"Org-Id": MISSIONX_SANDBOX_ORG_ID})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def client_for(
    sim: MissionXSimulator, url: str, *, read: float = 5.0, secret: str | None = None
) -> MissionXClient:
    settings = sim.settings_for(url)
    return MissionXClient(
        settings["MISSIONX_BASE_URL"],
        settings["MISSIONX_TOKEN_URL"],
        settings["MISSIONX_CLIENT_ID"],
        secret or settings["MISSIONX_CLIENT_SECRET"],
        settings["MISSIONX_ORG_ID"],
        timeout=httpx.Timeout(5.0, read=read),
        retry=RetryPolicy(sleep=no_sleep),
    )


def first_project(sim: MissionXSimulator) -> dict[str, Any]:
    return next(iter(sim.state.projects.values()))


def entries_for(project: dict[str, Any], email: str) -> list[dict[str, Any]]:
    return [p for p in project["people"] if p["email"].casefold() == email.casefold()]


def test_the_settings_point_at_the_api_and_the_token_endpoint(sim: MissionXSimulator) -> None:
    assert sim.settings_for("http://127.0.0.1:8102/") == {
        "MISSIONX_BASE_URL": "http://127.0.0.1:8102/v2",
        "MISSIONX_TOKEN_URL": "http://127.0.0.1:8102/auth/token",
        "MISSIONX_CLIENT_ID": MISSIONX_SANDBOX_CLIENT_ID,
        "MISSIONX_CLIENT_SECRET": MISSIONX_SANDBOX_CLIENT_SECRET,
        "MISSIONX_ORG_ID": MISSIONX_SANDBOX_ORG_ID,
    }


async def test_the_token_endpoint_needs_the_org_id_header(raw: httpx.AsyncClient) -> None:
    answer = await raw.post("/auth/token", data=CREDENTIALS)
    assert answer.status_code == 400
    assert set(answer.json()) == {"message", "code", "data"}


@pytest.mark.parametrize(
    ("form", "org_id", "status"),
    [
        ({**CREDENTIALS, "client_secret": "wrong"}, MISSIONX_SANDBOX_ORG_ID, 401),
        (CREDENTIALS, "000000000000000000000000", 401),
        ({**CREDENTIALS, "grant_type": "password"}, MISSIONX_SANDBOX_ORG_ID, 400),
    ],
)
async def test_the_token_endpoint_refuses_bad_credentials(
    raw: httpx.AsyncClient, form: dict[str, str], org_id: str, status: int
) -> None:
    answer = await raw.post("/auth/token", data=form, headers={"Org-Id": org_id})
    assert answer.status_code == status
    assert set(answer.json()) == {"message", "code", "data"}


async def test_the_token_endpoint_issues_a_bearer_for_a_form_or_json_body(raw: httpx.AsyncClient) -> None:
    for body in ({"data": CREDENTIALS}, {"json": CREDENTIALS}):
        answer = await raw.post("/auth/token", headers={"Org-Id": MISSIONX_SANDBOX_ORG_ID}, **body)
        assert answer.status_code == 200
        assert answer.json()["token_type"] == "Bearer"
        assert answer.json()["expires_in"] == 14400


@pytest.mark.parametrize("authorization", [None, "Bearer unknown", "Basic abc"])
async def test_api_calls_need_a_valid_bearer(raw: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = await raw.get("/v2/projects", headers=headers)
    assert answer.status_code == 401
    assert set(answer.json()) == {"message", "code", "data"}


async def test_lists_hold_40_by_default_up_to_100_and_link_the_next_page(raw: httpx.AsyncClient) -> None:
    headers = await bearer(raw)
    first = (await raw.get("/v2/projects", params={"withArchived": "true"}, headers=headers)).json()
    assert len(first["value"]) == 40
    assert first["nextLink"].startswith("http://mx.local/v2/projects?")
    everything = await raw.get("/v2/projects", params={"withArchived": 1, "limit": 100}, headers=headers)
    assert len(everything.json()["value"]) == 95
    assert "nextLink" not in everything.json()
    too_many = await raw.get("/v2/projects", params={"limit": 101}, headers=headers)
    assert too_many.status_code == 400


async def test_projects_come_from_the_demo_company_with_their_pm(
    raw: httpx.AsyncClient, sim: MissionXSimulator
) -> None:
    headers = await bearer(raw)
    project = first_project(sim)
    answer = await raw.get(f"/v2/projects/{project['_id']}", params={"expand": "people"}, headers=headers)
    body = answer.json()
    demo = sim.state.company.projects[0]
    pm = sim.state.company.person(demo.pm_id)
    assert (body["title"], body["projectCode"], body["archived"]) == (
        demo.name,
        demo.job_order,
        demo.archived,
    )
    [entry] = body["people"]
    assert (entry["email"], entry["permission"], entry["isProjectManager"]) == (pm.email, "manager", True)
    assert entry["person"]["firstName"] == pm.first_name
    assert all(OBJECT_ID.fullmatch(value) for value in (body["_id"], entry["_id"], entry["person"]["_id"]))


async def test_the_rate_limit_answers_429_with_retry_after(clock: Clock) -> None:
    sim = build_missionx_simulator(rate_limit=2, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(sim.app), base_url="http://mx.local") as raw:
        headers = await bearer(raw)
        statuses = [(await raw.get("/v2/orgs/me", headers=headers)).status_code for _ in range(3)]
        limited = await raw.get("/v2/orgs/me", headers=headers)
    assert statuses == [200, 200, 429]
    assert limited.headers["Retry-After"] == "60"
    assert set(limited.json()) == {"message", "code", "data"}
    assert "rate limit" in limited.headers["X-Sandbox-Assumed"]


async def test_an_injected_fault_answers_in_the_documented_shape(raw: httpx.AsyncClient) -> None:
    headers = await bearer(raw)
    await raw.post("/_sandbox/faults", json={"status": 503, "retry_after": 7, "path_prefix": "/v2/orgs"})
    answer = await raw.get("/v2/orgs/me", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"
    assert set(answer.json()) == {"message", "code", "data"}
    assert "503 is not documented" in answer.headers["X-Sandbox-Assumed"]


async def test_reset_reseeds_the_company_with_the_same_ids(
    raw: httpx.AsyncClient, sim: MissionXSimulator
) -> None:
    headers = await bearer(raw)
    project_ids = list(sim.state.projects)
    added = await raw.post(
        f"/v2/projects/{project_ids[0]}/people",
        json={"email": EMAIL, "permission": "member"},
        headers=headers,
    )
    assert added.status_code == 200
    await raw.post("/_sandbox/reset")
    assert list(sim.state.projects) == project_ids
    assert entries_for(first_project(sim), EMAIL) == []
    assert (await raw.get("/v2/orgs/me", headers=headers)).status_code == 200


async def test_the_client_adds_a_person_through_the_token_flow(sim: MissionXSimulator) -> None:
    project = first_project(sim)
    role = sim.state.roles[2]
    new = NewProjectPerson(email=EMAIL, permission="member", role=role["_id"], rate=80, rate_time="daily")
    async with serve_in_background(sim.app) as url, client_for(sim, url) as client:
        created = await client.add_project_person(project["_id"], new)
        silent = await client.add_project_person(
            project["_id"], new.model_copy(update={"email": "b@x.example"}), notify=False
        )
        fetched = await client.get_project(project["_id"])
    assert not created.recovered
    assert (created.value.email, created.value.role, created.value.rate_time) == (EMAIL, role["_id"], "daily")
    assert created.value.invite_pending_since is not None
    found = fetched.person_with_email(EMAIL.upper())
    assert found is not None
    assert found.id == created.value.id
    assert isinstance(found.person, dict)
    assert sim.state.notified == [EMAIL]
    assert silent.value.email == "b@x.example"
    assert len(sim.control.calls_to("POST", "/auth/token")) == 1


async def test_the_client_gets_400_for_a_duplicate_and_for_invalid_fields(sim: MissionXSimulator) -> None:
    project = first_project(sim)
    pm_email = project["people"][0]["email"]
    bad = NewProjectPerson(
        email="not-an-email", permission="boss", rate=-1, rate_time="fortnightly", role="0" * 24
    )
    async with serve_in_background(sim.app) as url, client_for(sim, url) as client:
        with pytest.raises(InvalidData) as duplicate:
            await client.add_project_person(
                project["_id"], NewProjectPerson(email=pm_email.upper(), permission="admin")
            )
        with pytest.raises(InvalidData) as invalid:
            await client.add_project_person(project["_id"], bad)
        with pytest.raises(NotFound):
            await client.add_project_person("f" * 24, NewProjectPerson(email=EMAIL, permission="member"))
    assert [f.field for f in duplicate.value.failures] == ["email"]
    assert {f.field for f in invalid.value.failures} == {"email", "permission", "rate", "rateTime", "role"}
    assert len(project["people"]) == 1


async def test_the_client_lists_projects_across_pages_roles_and_org_people(sim: MissionXSimulator) -> None:
    async with serve_in_background(sim.app) as url, client_for(sim, url) as client:
        every = await client.list_projects()
        live = await client.list_projects(with_archived=False)
        roles = await client.list_roles()
        people = await client.list_org_people()
    company = sim.state.company
    assert [p.title for p in every] == [p.name for p in company.projects]
    assert [p.title for p in live] == [p.name for p in company.projects if not p.archived]
    assert len(sim.control.calls_to("GET", "/v2/projects")) == 3 + 3
    assert [r.title for r in roles] == list(dict.fromkeys(p.role for p in company.people))
    assert [p.email for p in people] == [p.email for p in company.people]
    pms = {p.email for p in company.people if p.role == "Project Manager"}
    assert {p.email for p in people if p.permission == "projectManager"} == pms


async def test_an_expired_token_is_fetched_again(sim: MissionXSimulator, clock: Clock) -> None:
    async with serve_in_background(sim.app) as url, client_for(sim, url) as client:
        await client.list_roles()
        clock.now += 14400 + 1
        roles = await client.list_roles()
    assert roles
    assert len(sim.control.calls_to("POST", "/auth/token")) == 2
    assert [c.status for c in sim.control.calls_to("GET", "/v2/orgs/me")] == [200, 401, 200]


async def test_a_wrong_secret_is_unauthorized_and_never_shown(sim: MissionXSimulator) -> None:
    secret = "wrong-secret-7c1d"
    async with serve_in_background(sim.app) as url, client_for(sim, url, secret=secret) as client:
        with pytest.raises(Unauthorized) as raised:
            await client.list_roles()
    assert secret not in str(raised.value)
    assert MISSIONX_SANDBOX_CLIENT_SECRET not in str(raised.value)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(after_commit=True, delay_seconds=1.0, method="POST", path_prefix="/v2/projects/"),
        Fault(after_commit=True, status=502, method="POST", path_prefix="/v2/projects/"),
    ],
    ids=["answer-timed-out", "502-after-commit"],
)
async def test_a_lost_answer_after_commit_leaves_exactly_one_person(
    sim: MissionXSimulator, fault: Fault
) -> None:
    project = first_project(sim)
    sim.control.faults.append(fault)
    async with serve_in_background(sim.app) as url, client_for(sim, url, read=0.3) as client:
        created = await client.add_project_person(
            project["_id"], NewProjectPerson(email=EMAIL, permission="member")
        )
    assert created.recovered
    [entry] = entries_for(project, EMAIL)
    assert created.value.id == entry["_id"]
    assert len(sim.control.calls_to("POST", "/v2/projects/")) == 1


async def test_a_projects_people_come_only_with_expand_people(
    raw: httpx.AsyncClient, sim: MissionXSimulator
) -> None:
    headers = await bearer(raw)
    project = first_project(sim)
    plain = (await raw.get("/v2/projects", params={"limit": 1}, headers=headers)).json()["value"]
    expanded = await raw.get("/v2/projects", params={"limit": 1, "expand": "people"}, headers=headers)
    alone = (await raw.get(f"/v2/projects/{project['_id']}", headers=headers)).json()
    assert [p["_id"] for p in plain] == [project["_id"]]
    assert "people" not in plain[0]
    assert "people" not in alone
    [entry] = expanded.json()["value"][0]["people"]
    assert (entry["email"], entry["isProjectManager"]) == (project["people"][0]["email"], True)


class Recording(httpx.AsyncBaseTransport):
    """The simulator's app in this process, remembering every request sent to it."""

    def __init__(self, sim: MissionXSimulator) -> None:
        self.inner = httpx.ASGITransport(sim.app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


async def test_the_directory_source_reads_each_projects_managers_with_expand_people(
    sim: MissionXSimulator,
) -> None:
    settings = sim.settings_for("http://mx.local")
    transport = Recording(sim)
    async with MissionXClient(
        settings["MISSIONX_BASE_URL"],
        settings["MISSIONX_TOKEN_URL"],
        settings["MISSIONX_CLIENT_ID"],
        settings["MISSIONX_CLIENT_SECRET"],
        settings["MISSIONX_ORG_ID"],
        transport=transport,
    ) as client:
        projects = await MissionXDirectorySource(client).fetch_projects(None)
    reads = [r for r in transport.requests if r.url.path == "/v2/projects"]
    assert reads
    assert all(r.url.params.get_list("expand") == ["people"] for r in reads)
    managers = {p["_id"]: p["people"][0]["person"] for p in sim.state.projects.values()}
    assert len(projects) == len(managers)
    assert all(p.manager_ids == (managers[p.upstream_id],) for p in projects)


async def test_answers_the_reference_does_not_show_are_marked_assumed(
    raw: httpx.AsyncClient, sim: MissionXSimulator
) -> None:
    headers = await bearer(raw)
    project = first_project(sim)
    people = f"/v2/projects/{project['_id']}/people"
    unauthorized = await raw.get("/v2/projects")
    unknown = await raw.post(
        f"/v2/projects/{'f' * 24}/people", json={"email": EMAIL, "permission": "member"}, headers=headers
    )
    duplicate = await raw.post(
        people, json={"email": project["people"][0]["email"], "permission": "member"}, headers=headers
    )
    invalid = await raw.post(people, json={"email": EMAIL, "permission": "boss"}, headers=headers)
    created = await raw.post(people, json={"email": EMAIL, "permission": "member"}, headers=headers)
    assert [a.status_code for a in (unauthorized, unknown, duplicate, invalid, created)] == [
        401,
        404,
        400,
        400,
        200,
    ]
    for assumed in (unauthorized, unknown, duplicate):
        assert assumed.headers["X-Sandbox-Assumed"]
    for documented in (invalid, created):
        assert "X-Sandbox-Assumed" not in documented.headers
