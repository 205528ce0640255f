"""The MissionX client against httpx.MockTransport: auth, status mapping, paging, retries and creates."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.clients.errors import (
    AnswerLost,
    Conflict,
    FieldError,
    Forbidden,
    InvalidData,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.clients.missionx import MissionXAuth, MissionXClient, NewProjectPerson
from app.clients.retry import RetryPolicy

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "missionx"
BASE_URL = "https://mx.test/v1"
TOKEN_URL = "https://mx.test/auth/token"
CLIENT_ID = "staffdesk-client"
SECRET = "mx-client-secret-4f9a"
ORG_ID = "65f1c0de00000000000000a1"
PROJECT_ID = "66a1f0c2b3d4e5f607181000"
EMAIL = "giulia.colombo@acme.example"
NEW = NewProjectPerson(email=EMAIL, permission="member", rate=42.0, rate_time="hourly")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def respond(name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """The fixture `name` as an answer, with the status its name ends in."""
    found = re.search(r"_(\d{3})(?:_|$)", name)
    assert found, name
    return httpx.Response(int(found.group(1)), json=fixture(name), headers=headers)


Step = httpx.Response | type[httpx.TransportError]


@dataclass
class FakeMissionX:
    """Issues numbered tokens and answers API calls from a script of responses and transport errors."""

    script: list[Step] = field(default_factory=list)
    token_answers: list[httpx.Response] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    bearers: list[str] = field(default_factory=list)
    issued: int = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/token":
            await asyncio.sleep(0)
            if self.token_answers:
                return self.token_answers.pop(0)
            self.issued += 1
            return httpx.Response(
                200, json={**fixture("auth_token_200"), "access_token": f"tok-{self.issued}"}
            )
        self.bearers.append(request.headers.get("Authorization", ""))
        step = self.script.pop(0)
        if isinstance(step, httpx.Response):
            return step
        raise step("injected", request=request)

    def api(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/auth/token"]

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.api() if r.method == "POST"]


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def upstream() -> FakeMissionX:
    return FakeMissionX()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(upstream: FakeMissionX, sleeps: Sleeps, attempts: int = 4) -> MissionXClient:
    policy = RetryPolicy(attempts=attempts, sleep=sleeps, jitter=lambda: 0.0)
    transport = httpx.MockTransport(upstream.handle)
    return MissionXClient(BASE_URL, TOKEN_URL, CLIENT_ID, SECRET, ORG_ID, transport=transport, retry=policy)


@pytest.fixture
async def client(upstream: FakeMissionX, sleeps: Sleeps) -> AsyncIterator[MissionXClient]:
    async with make_client(upstream, sleeps) as client:
        yield client


async def test_a_person_is_added_with_the_documented_body_and_credentials(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("projects_people_create_200")]
    created = await client.add_project_person(PROJECT_ID, NEW)
    token_request, post = upstream.requests
    assert dict(httpx.QueryParams(token_request.content.decode())) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
    }
    assert token_request.headers["Org-Id"] == ORG_ID
    assert str(post.url) == f"{BASE_URL}/projects/{PROJECT_ID}/people"
    assert post.headers["Authorization"] == "Bearer tok-1"
    assert post.headers["Org-Id"] == ORG_ID
    body = {
        "email": EMAIL,
        "permission": "member",
        "isProjectManager": False,
        "rate": 42.0,
        "rateTime": "hourly",
    }
    assert json.loads(post.content) == body
    assert not created.recovered
    assert (created.value.id, created.value.role_title, created.value.rate_time) == (
        "66a1f0c2b3d4e5f60718293a",
        "Senior Consultant",
        "hourly",
    )


async def test_notify_false_is_sent_as_a_query_flag(client: MissionXClient, upstream: FakeMissionX) -> None:
    upstream.script = [respond("projects_people_create_200")]
    await client.add_project_person(PROJECT_ID, NEW, notify=False)
    assert upstream.posts()[0].url.params["notify"] == "false"


async def test_the_token_is_fetched_once_and_shared_by_concurrent_calls(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("projects_get_200") for _ in range(4)]
    await asyncio.gather(*(client.get_project(PROJECT_ID) for _ in range(3)))
    await client.get_project(PROJECT_ID)
    assert upstream.issued == 1
    assert set(upstream.bearers) == {"Bearer tok-1"}


async def test_a_token_is_renewed_shortly_before_it_expires(upstream: FakeMissionX) -> None:
    now = [1000.0]
    auth = MissionXAuth(TOKEN_URL, CLIENT_ID, SECRET, ORG_ID, clock=lambda: now[0])
    upstream.script = [respond("projects_get_200") for _ in range(3)]
    async with httpx.AsyncClient(transport=httpx.MockTransport(upstream.handle), auth=auth) as http:
        await http.get(f"{BASE_URL}/projects/{PROJECT_ID}")
        now[0] += 14400 - 61
        await http.get(f"{BASE_URL}/projects/{PROJECT_ID}")
        now[0] += 2
        await http.get(f"{BASE_URL}/projects/{PROJECT_ID}")
    assert upstream.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_401_fetches_a_new_token_and_resends_once(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("projects_people_create_401"), respond("projects_get_200")]
    project = await client.get_project(PROJECT_ID)
    assert project.title == "Apollo Website"
    assert upstream.bearers == ["Bearer tok-1", "Bearer tok-2"]


async def test_a_second_401_is_unauthorized_without_more_tries(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("projects_people_create_401"), respond("projects_people_create_401")]
    with pytest.raises(Unauthorized):
        await client.add_project_person(PROJECT_ID, NEW)
    assert (upstream.issued, len(upstream.api())) == (2, 2)


@pytest.mark.parametrize(
    ("answer", "kind", "status", "retry_after"),
    [
        (respond("projects_people_create_403"), Forbidden, 403, None),
        (respond("projects_people_create_404"), NotFound, 404, None),
        (respond("projects_people_create_409"), Conflict, 409, None),
        (respond("projects_people_create_429", {"Retry-After": "12"}), RateLimited, 429, 12.0),
        (httpx.Response(429, text="slow down"), RateLimited, 429, None),
        (respond("projects_people_create_500"), ServerError, 500, None),
        (httpx.Response(502, html="<h1>Bad Gateway</h1>"), ServerError, 502, None),
        (httpx.Response(503, headers={"Retry-After": "30"}), ServerError, 503, 30.0),
        (httpx.Response(422, json=["not", "an", "envelope"]), InvalidData, 422, None),
        (httpx.Response(418, json={"message": "teapot"}), UpstreamError, 418, None),
    ],
)
async def test_every_status_maps_to_its_typed_error(
    upstream: FakeMissionX,
    sleeps: Sleeps,
    answer: httpx.Response,
    kind: type[UpstreamError],
    status: int,
    retry_after: float | None,
) -> None:
    upstream.script = [answer]
    async with make_client(upstream, sleeps, attempts=1) as client:
        with pytest.raises(kind) as raised:
            await client.add_project_person(PROJECT_ID, NEW)
    assert type(raised.value) is kind
    assert (raised.value.upstream, raised.value.status) == ("MissionX", status)
    assert getattr(raised.value, "retry_after", None) == retry_after


MUST_BE_EMAIL = FieldError("email", "must be an e-mail address")


@pytest.mark.parametrize(
    ("answer", "failures", "code"),
    [
        (respond("projects_people_create_400"), ["email", "rateTime"], "VALIDATION_FAILED"),
        (respond("projects_people_create_400_duplicate"), ["email"], "DUPLICATE_EMAIL"),
        (respond("projects_people_create_400_unnamed"), [""], "string"),
        (httpx.Response(400, text="Bad Request"), [""], None),
    ],
)
async def test_a_400_is_invalid_data_naming_the_fields_it_can(
    client: MissionXClient, upstream: FakeMissionX, answer: httpx.Response, failures: list[str], code: str
) -> None:
    upstream.script = [answer]
    with pytest.raises(InvalidData) as raised:
        await client.add_project_person(PROJECT_ID, NEW)
    assert [f.field for f in raised.value.failures] == failures
    assert raised.value.code == code
    assert len(upstream.posts()) == 1


@pytest.mark.parametrize(
    ("data", "failure"),
    [
        ({"field": "email"}, FieldError("email", "refused")),
        ({"field": "email", "message": "must be an e-mail address"}, MUST_BE_EMAIL),
        ({"email": "must be an e-mail address", "key": None}, MUST_BE_EMAIL),
        ({"key": None}, FieldError("", "refused")),
    ],
)
async def test_a_400_takes_each_field_message_from_data_or_the_body(
    client: MissionXClient, upstream: FakeMissionX, data: dict[str, Any], failure: FieldError
) -> None:
    upstream.script = [httpx.Response(400, json={"message": "refused", "code": "X", "data": data})]
    with pytest.raises(InvalidData) as raised:
        await client.add_project_person(PROJECT_ID, NEW)
    assert raised.value.failures == [failure]


async def test_projects_are_listed_across_absolute_relative_and_last_pages(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond(f"projects_list_page{n}_200") for n in (1, 2, 3)]
    projects = await client.list_projects()
    assert [p.title for p in projects] == [
        "Apollo Website",
        "Borealis Mobile App",
        "Cascade Data Platform",
        "Delta ERP Rollout",
    ]
    assert projects[0].people == []
    assert [str(r.url) for r in upstream.api()] == [
        f"{BASE_URL}/projects?withArchived=true",
        f"{BASE_URL}/projects?withArchived=true&skip=2",
        f"{BASE_URL}/projects?withArchived=true&skip=3",
    ]


async def test_listing_live_projects_only_sends_no_archive_flag(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("projects_list_page3_200")]
    await client.list_projects(with_archived=False)
    assert str(upstream.api()[0].url) == f"{BASE_URL}/projects"


async def test_projects_are_read_with_expand_people_when_their_people_are_wanted(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    page = {"value": [fixture("projects_get_200")], "nextLink": ""}
    upstream.script = [httpx.Response(200, json=page)]
    [project] = await client.list_projects(expand_people=True)
    sent = upstream.api()[0]
    assert sent.url.params.get_list("expand") == ["people"]
    assert [p.email for p in project.people] == ["ana.rossi@acme.example", "Giulia.Colombo@ACME.example"]


async def test_a_next_link_to_another_host_is_not_followed(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    page = {**fixture("projects_list_page1_200"), "nextLink": "https://elsewhere.test/v1/projects?skip=2"}
    upstream.script = [httpx.Response(200, json=page)]
    with pytest.raises(UpstreamError, match="leaves the API"):
        await client.list_projects()
    assert len(upstream.api()) == 1


async def test_org_people_are_listed_with_a_name_when_expanded(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [respond("orgs_people_list_page1_200"), respond("orgs_people_list_page2_200")]
    people = await client.list_org_people()
    assert [(p.email, p.name, p.archived) for p in people] == [
        ("ana.rossi@acme.example", "Ana Rossi", False),
        ("bruno.colombo@acme.example", None, False),
        ("chiara.greco@acme.example", None, True),
    ]
    assert str(upstream.api()[1].url) == f"{BASE_URL}/orgs/people?skip=2"


async def test_roles_are_read_from_the_org(client: MissionXClient, upstream: FakeMissionX) -> None:
    upstream.script = [respond("orgs_me_roles_200")]
    roles = await client.list_roles()
    assert [(r.id, r.title, r.custom_id) for r in roles] == [
        ("66a1f0c2b3d4e5f607180001", "Consultant", "consultant"),
        ("66a1f0c2b3d4e5f607180002", "Developer", None),
    ]
    assert str(upstream.api()[0].url) == f"{BASE_URL}/orgs/me?select=roles"


async def test_reads_are_retried_on_429_5xx_and_connection_errors(
    client: MissionXClient, upstream: FakeMissionX, sleeps: Sleeps
) -> None:
    upstream.script = [
        httpx.Response(429, headers={"Retry-After": "3"}),
        respond("projects_people_create_500"),
        httpx.ConnectError,
        respond("projects_get_200"),
    ]
    project = await client.get_project(PROJECT_ID)
    assert project.id == PROJECT_ID
    assert sleeps.delays == [3.0, 1.0, 2.0]


async def test_a_read_gives_up_after_the_policys_attempts(
    client: MissionXClient, upstream: FakeMissionX, sleeps: Sleeps
) -> None:
    upstream.script = [httpx.Response(503) for _ in range(4)]
    with pytest.raises(ServerError):
        await client.list_roles()
    assert (len(upstream.api()), len(sleeps.delays)) == (4, 3)


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError, httpx.Response(429), httpx.Response(503)], ids=["refused", "429", "503"]
)
async def test_a_create_the_upstream_surely_refused_is_sent_again_directly(
    client: MissionXClient, upstream: FakeMissionX, failure: Step
) -> None:
    upstream.script = [failure, respond("projects_people_create_200")]
    created = await client.add_project_person(PROJECT_ID, NEW)
    assert not created.recovered
    assert [r.method for r in upstream.api()] == ["POST", "POST"]


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout, httpx.Response(502), httpx.Response(504), httpx.Response(200, text="OK")],
    ids=["read-timeout", "502", "504", "not-json"],
)
async def test_a_create_whose_answer_was_lost_is_looked_up_and_not_sent_twice(
    client: MissionXClient, upstream: FakeMissionX, failure: Step
) -> None:
    upstream.script = [failure, respond("projects_get_200")]
    created = await client.add_project_person(PROJECT_ID, NEW)
    assert created.recovered
    assert created.value.id == "66a1f0c2b3d4e5f60718293a"
    lookup = upstream.api()[1]
    assert (lookup.method, lookup.url.params["expand"]) == ("GET", "people")
    assert len(upstream.posts()) == 1


async def test_a_lost_create_that_is_not_found_is_sent_again(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    upstream.script = [
        httpx.Response(502),
        respond("projects_get_200_without_person"),
        respond("projects_people_create_200"),
    ]
    created = await client.add_project_person(PROJECT_ID, NEW)
    assert not created.recovered
    assert [r.method for r in upstream.api()] == ["POST", "GET", "POST"]


@pytest.mark.parametrize(
    ("found", "methods", "recovered"),
    [("projects_get_200", ["GET"], True), ("projects_get_200_without_person", ["GET", "POST"], False)],
)
async def test_look_first_posts_only_when_the_person_is_not_there(
    client: MissionXClient, upstream: FakeMissionX, found: str, methods: list[str], recovered: bool
) -> None:
    upstream.script = [respond(found), respond("projects_people_create_200")]
    created = await client.add_project_person(PROJECT_ID, NEW, look_first=True)
    assert created.recovered is recovered
    assert [r.method for r in upstream.api()] == methods


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (respond("auth_token_400"), Unauthorized),
        (respond("auth_token_401"), Unauthorized),
        (httpx.Response(403, json={"message": f"client_secret={SECRET} is not allowed"}), Unauthorized),
        (httpx.Response(429, headers={"Retry-After": "5"}), RateLimited),
        (httpx.Response(503, text="maintenance"), ServerError),
        (httpx.Response(200, json={"token_type": "Bearer"}), UpstreamError),
    ],
)
async def test_token_failures_are_typed_and_never_show_the_secret(
    upstream: FakeMissionX, sleeps: Sleeps, answer: httpx.Response, kind: type[UpstreamError]
) -> None:
    upstream.token_answers = [answer]
    async with make_client(upstream, sleeps, attempts=1) as client:
        with pytest.raises(kind) as raised:
            await client.list_roles()
    assert type(raised.value) is kind
    assert SECRET not in str(raised.value)
    assert upstream.api() == []


async def test_no_token_or_secret_appears_in_api_error_text(
    client: MissionXClient, upstream: FakeMissionX
) -> None:
    echo = f"refused Bearer tok-1 for {CLIENT_ID}:{SECRET}"
    upstream.script = [httpx.Response(400, json={"message": echo, "code": "X", "data": {"email": echo}})]
    with pytest.raises(InvalidData) as raised:
        await client.add_project_person(PROJECT_ID, NEW)
    texts = [str(raised.value), raised.value.message, *(f.message for f in raised.value.failures)]
    assert all("tok-1" not in text and SECRET not in text for text in texts)
    assert all("***" in text for text in texts)


async def test_answers_that_do_not_have_the_documented_shape_are_typed(
    upstream: FakeMissionX, sleeps: Sleeps
) -> None:
    upstream.script = [httpx.Response(200, json={"value": "not a list"})]
    async with make_client(upstream, sleeps, attempts=1) as client:
        with pytest.raises(AnswerLost, match="documented shape"):
            await client.list_projects()
