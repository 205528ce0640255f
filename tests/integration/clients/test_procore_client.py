"""The Procore client against httpx.MockTransport: auth, error mapping, paging, retries, one-time creates."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.clients.procore import NewProjectPerson, ProcoreClient
from app.clients.retry import RetryPolicy

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "procore"
BASE_URL = "https://api.procore.test"
TOKEN_URL = "https://login.procore.test/oauth/token"
CLIENT_SECRET = "fixture-client-secret"
COMPANY_ID = 4280117
PROJECT_ID = 4294968296
PEOPLE_PATH = f"/rest/v1.0/projects/{PROJECT_ID}/people"
ANA = NewProjectPerson(last_name="Ruiz", first_name="Ana", employee_id="E-2041", work_classification_id=102)


def reply(status: int, fixture: str, **headers: str) -> httpx.Response:
    kind = "application/json" if fixture.endswith(".json") else "text/plain"
    content = (FIXTURES / fixture).read_bytes()
    return httpx.Response(status, content=content, headers={"Content-Type": kind, **headers})


Answer = httpx.Response | type[httpx.TransportError]


@dataclass
class FakeProcore:
    """Issues `token-<n>` from the token endpoint; answers API calls from `answers`, in order."""

    answers: list[Answer] = field(default_factory=list)
    token_answer: httpx.Response | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # A snapshot: the auth flow sends the same request object again with a new token.
        self.requests.append(
            httpx.Request(request.method, request.url, headers=request.headers, content=request.content)
        )
        if request.url.path == "/oauth/token":
            self.tokens_issued += 1
            token = json.loads((FIXTURES / "oauth_token_200.json").read_text())
            token["access_token"] = f"token-{self.tokens_issued}"
            return self.token_answer or httpx.Response(200, json=token)
        answer = self.answers.pop(0)
        if isinstance(answer, type):
            raise answer("simulated", request=request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    @property
    def api_calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.url.path) for r in self.requests if r.url.path != "/oauth/token"]


@dataclass
class Delays:
    seen: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


def procore(
    fake: FakeProcore, *, attempts: int = 4, delays: Delays | None = None, **kw: Any
) -> ProcoreClient:
    policy = RetryPolicy(attempts=attempts, sleep=delays or Delays(), jitter=lambda: 0.0)
    transport = httpx.MockTransport(fake)
    return ProcoreClient(
        BASE_URL,
        TOKEN_URL,
        "fixture-client",
        CLIENT_SECRET,
        COMPANY_ID,
        transport=transport,
        retry=policy,
        **kw,
    )


async def test_a_new_person_is_posted_with_a_token_and_the_company_header() -> None:
    fake = FakeProcore([reply(201, "project_people_create_201.json")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA, view="extended")
    token_request, post = fake.requests
    assert dict(httpx.QueryParams(token_request.content.decode())) == {
        "grant_type": "client_credentials",
        "client_id": "fixture-client",
        "client_secret": CLIENT_SECRET,
    }
    assert post.url.path == PEOPLE_PATH
    assert post.url.params["view"] == "extended"
    assert post.headers["Authorization"] == "Bearer token-1"
    assert post.headers["Procore-Company-Id"] == str(COMPANY_ID)
    person = {"last_name": "Ruiz", "first_name": "Ana", "employee_id": "E-2041", "is_employee": False}
    assert json.loads(post.content) == {"person": {**person, "work_classification_id": 102}}
    assert created.recovered is False
    assert (created.value.id, created.value.origin_id, created.value.last_name) == (
        9000000101,
        "55001",
        "Ruiz",
    )


@pytest.mark.parametrize(
    ("answer", "error_type", "text"),
    [
        (reply(400, "project_people_create_400.json"), InvalidData, "last_name: can't be blank"),
        (reply(400, "project_people_create_400_list.json"), InvalidData, "Last name can't be blank; Person"),
        (reply(401, "project_people_create_401.json"), Unauthorized, "The access token is invalid"),
        (reply(403, "project_people_create_403.json"), Forbidden, "You do not have permission"),
        (reply(404, "project_people_create_404.json"), NotFound, "Project not found"),
        (reply(409, "project_people_create_409.json"), Conflict, "origin_id: has already been taken"),
        (reply(422, "project_people_create_422.json"), InvalidData, "could not be saved; work_classific"),
        (reply(429, "project_people_create_429.txt"), RateLimited, "You have surpassed the max number"),
        (reply(500, "project_people_create_500.json"), ServerError, "Internal Server Error"),
        (reply(502, "project_people_create_502.txt"), ServerError, "Bad Gateway"),
        (reply(503, "project_people_create_503.json", **{"Retry-After": "7"}), ServerError, "Unavailable"),
    ],
)
async def test_every_status_and_error_body_shape_becomes_a_typed_error_in_plain_words(
    answer: httpx.Response, error_type: type[UpstreamError], text: str
) -> None:
    fake = FakeProcore([answer, answer])
    async with procore(fake, attempts=1) as client:
        with pytest.raises(error_type) as caught:
            await client.create_project_person(PROJECT_ID, ANA)
    assert str(caught.value).startswith(f"Procore answered {answer.status_code}: ")
    assert text in str(caught.value)
    assert (caught.value.upstream, caught.value.status) == ("Procore", answer.status_code)


async def test_field_errors_and_codes_are_kept_for_the_caller() -> None:
    answers = [reply(400, "project_people_create_400.json"), reply(422, "project_people_create_422.json")]
    async with procore(FakeProcore(answers), attempts=1) as client:
        with pytest.raises(InvalidData) as blank:
            await client.create_project_person(PROJECT_ID, ANA)
        with pytest.raises(InvalidData) as unknown:
            await client.create_project_person(PROJECT_ID, ANA)
    assert FieldError("last_name", "can't be blank") in blank.value.failures
    assert unknown.value.failures == [FieldError("work_classification_id", "does not exist")]
    assert (unknown.value.code, unknown.value.status) == ("UNPROCESSABLE_ENTITY", 422)


async def test_the_token_is_fetched_once_and_shared_by_concurrent_calls() -> None:
    fake = FakeProcore([reply(200, "work_classifications_list_200.json") for _ in range(5)])
    async with procore(fake) as client:
        lists = await asyncio.gather(*(client.list_work_classifications() for _ in range(5)))
    assert fake.tokens_issued == 1
    assert all(r.headers["Authorization"] == "Bearer token-1" for r in fake.requests[1:])
    assert [wc.abbreviation for wc in lists[0]] == ["PM", "CARP"]


async def test_a_401_fetches_a_new_token_once_and_sends_the_call_again() -> None:
    fake = FakeProcore(
        [reply(401, "project_people_create_401.json"), reply(201, "project_people_create_201.json")]
    )
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA)
    assert created.value.id == 9000000101
    assert fake.tokens_issued == 2
    sent = [r.headers["Authorization"] for r in fake.requests if r.url.path == PEOPLE_PATH]
    assert sent == ["Bearer token-1", "Bearer token-2"]


async def test_the_token_is_renewed_a_little_before_it_expires() -> None:
    now = [1000.0]
    fake = FakeProcore([reply(200, "work_classifications_list_200.json") for _ in range(3)])
    async with procore(fake, clock=lambda: now[0]) as client:
        await client.list_work_classifications()
        now[0] += 5400 - 120
        await client.list_work_classifications()
        assert fake.tokens_issued == 1
        now[0] += 90
        await client.list_work_classifications()
    assert fake.tokens_issued == 2


async def test_no_client_secret_or_token_appears_in_any_error_text() -> None:
    echo = httpx.Response(403, json={"errors": "token-1 may not use company 4280117"})
    async with procore(FakeProcore([echo])) as client:
        with pytest.raises(Forbidden) as forbidden:
            await client.list_work_classifications()
    refused = FakeProcore(token_answer=reply(401, "oauth_token_401.json"))
    async with procore(refused) as client:
        with pytest.raises(Unauthorized) as unauthorized:
            await client.list_projects()
    assert "token-1" not in str(forbidden.value)
    assert "may not use company" in str(forbidden.value)
    assert str(unauthorized.value).startswith("Procore answered 401: no access token: Client authentication")
    assert CLIENT_SECRET not in str(unauthorized.value)
    assert unauthorized.value.code == "invalid_client"
    assert refused.api_calls == []


async def test_pages_are_followed_by_link_until_no_next_link_remains() -> None:
    first = f'<{BASE_URL}/rest/v1.0/projects?page=1&per_page=2>; rel="first"'
    fake = FakeProcore(
        [
            reply(200, "projects_list_page1_200.json", Total="3", Link=first.replace("first", "next")),
            reply(200, "projects_list_page2_200.json", Total="3", Link=first.replace("first", "prev")),
        ]
    )
    async with procore(fake) as client:
        projects = await client.list_projects(include_inactive=True)
    assert [p.project_number for p in projects] == ["JO-2026-0001", "JO-2025-0002", "JO-2024-0003"]
    assert [p.active for p in projects] == [True, True, False]
    pages = [dict(r.url.params) for r in fake.requests[1:]]
    assert [p["page"] for p in pages] == ["1", "2"]
    assert all(p["company_id"] == str(COMPANY_ID) and p["filters[by_status]"] == "All" for p in pages)


async def test_pages_are_followed_by_total_when_there_is_no_link() -> None:
    fake = FakeProcore(
        [reply(200, "project_people_list_200.json", Total="3"), reply(200, "project_people_list_200.json")]
    )
    async with procore(fake) as client:
        people = await client.list_project_people(PROJECT_ID)
    assert len(people) == 4
    assert len(fake.api_calls) == 2


async def test_a_list_without_paging_headers_is_read_once() -> None:
    fake = FakeProcore([reply(200, "company_users_list_200.json")])
    async with procore(fake) as client:
        users = await client.list_company_users()
    assert [(u.email_address, u.is_active) for u in users] == [
        ("ana.rossi@acme.example", True),
        ("bruno.esposito@acme.example", False),
    ]
    assert fake.api_calls == [("GET", f"/rest/v1.0/companies/{COMPANY_ID}/users")]


@pytest.mark.parametrize(
    ("failure", "expected_delay"),
    [
        (reply(429, "project_people_create_429.txt", **{"Retry-After": "3"}), 3.0),
        (httpx.ConnectError, 0.5),
        (reply(500, "project_people_create_500.json", **{"X-Rate-Limit-Reset": "9999999999"}), 0.5),
        (reply(503, "project_people_create_503.json", **{"Retry-After": "2"}), 2.0),
        (httpx.ReadTimeout, 0.5),
    ],
)
async def test_reads_are_retried_after_transient_failures(failure: Answer, expected_delay: float) -> None:
    delays = Delays()
    fake = FakeProcore([failure, reply(200, "work_classifications_list_200.json")])
    async with procore(fake, delays=delays) as client:
        assert len(await client.list_work_classifications()) == 2
    assert delays.seen == [expected_delay]


async def test_a_429_waits_until_the_rate_limit_resets() -> None:
    delays = Delays()
    reset = str(int(time.time()) + 5)
    limited = reply(429, "project_people_create_429.txt", **{"X-Rate-Limit-Reset": reset})
    fake = FakeProcore([limited, reply(200, "work_classifications_list_200.json")])
    async with procore(fake, delays=delays) as client:
        await client.list_work_classifications()
    assert len(delays.seen) == 1
    assert 3.0 < delays.seen[0] <= 5.0


@pytest.mark.parametrize(
    "refused",
    [
        httpx.ConnectError,
        reply(429, "project_people_create_429.txt", **{"Retry-After": "1"}),
        reply(503, "project_people_create_503.json"),
    ],
)
async def test_a_create_that_surely_did_not_apply_is_sent_again_directly(refused: Answer) -> None:
    fake = FakeProcore([refused, reply(201, "project_people_create_201.json")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA)
    assert fake.api_calls == [("POST", PEOPLE_PATH), ("POST", PEOPLE_PATH)]
    assert created.recovered is False


@pytest.mark.parametrize(
    "lost",
    [
        httpx.ReadTimeout,
        reply(502, "project_people_create_500.json"),
        reply(504, "project_people_create_500.json"),
    ],
)
async def test_a_create_whose_answer_was_lost_is_found_rather_than_sent_twice(lost: Answer) -> None:
    fake = FakeProcore([lost, reply(200, "project_people_list_200.json")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA)
    assert fake.api_calls == [("POST", PEOPLE_PATH), ("GET", PEOPLE_PATH)]
    assert (created.value.id, created.recovered) == (9000000101, True)


async def test_a_lost_create_that_is_not_found_is_sent_again() -> None:
    empty = httpx.Response(200, json=[], headers={"Total": "0"})
    fake = FakeProcore([httpx.ReadTimeout, empty, reply(201, "project_people_create_201.json")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA)
    assert fake.api_calls == [("POST", PEOPLE_PATH), ("GET", PEOPLE_PATH), ("POST", PEOPLE_PATH)]
    assert created.recovered is False


async def test_look_first_finds_an_existing_person_without_posting() -> None:
    fake = FakeProcore([reply(200, "project_people_list_200.json")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, ANA, look_first=True)
    assert fake.api_calls == [("GET", PEOPLE_PATH)]
    assert (created.value.first_name, created.recovered) == ("Ana", True)


async def test_a_namesake_with_another_employee_id_is_not_taken_for_the_person() -> None:
    fake = FakeProcore(
        [reply(200, "project_people_list_200.json"), reply(201, "project_people_create_201.json")]
    )
    other = ANA.model_copy(update={"employee_id": "E-9999", "last_name": " ruiz "})
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, other, look_first=True)
    assert fake.api_calls == [("GET", PEOPLE_PATH), ("POST", PEOPLE_PATH)]
    assert created.recovered is False


async def test_an_unknown_view_is_refused_before_anything_is_sent() -> None:
    fake = FakeProcore()
    async with procore(fake) as client:
        with pytest.raises(ValueError, match="view must be one of"):
            await client.create_project_person(PROJECT_ID, ANA, view="compact")
    assert fake.requests == []


@dataclass
class WallClock:
    """Unix time that moves only when the client sleeps on it."""

    now: float = 1_800_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def classifications(**headers: str) -> httpx.Response:
    return reply(200, "work_classifications_list_200.json", **headers)


def window(clock: WallClock, remaining: int, reset_in: int) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": "25",
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(int(clock.now) + reset_in),
    }


def paced(fake: FakeProcore, clock: WallClock, **kw: Any) -> ProcoreClient:
    policy = RetryPolicy(sleep=clock.sleep, jitter=lambda: 0.0, **kw)
    return ProcoreClient(
        BASE_URL,
        TOKEN_URL,
        "fixture-client",
        CLIENT_SECRET,
        COMPANY_ID,
        transport=httpx.MockTransport(fake),
        retry=policy,
        now=clock,
    )


async def test_when_no_request_remains_the_next_one_waits_until_the_reset() -> None:
    clock = WallClock()
    fake = FakeProcore([classifications(**window(clock, 0, 7)), classifications()])
    sent_at: list[float] = []
    async with paced(fake, clock) as client:
        await client.list_work_classifications()
        sent_at.append(clock.now)
        await client.list_work_classifications()
    assert clock.slept == [7.0]
    assert clock.now == sent_at[0] + 7
    assert len(fake.api_calls) == 2


async def test_requests_that_remain_go_at_once_and_the_one_past_them_waits() -> None:
    clock = WallClock()
    fake = FakeProcore([classifications(**window(clock, 2, 4)), classifications(), classifications()])
    async with paced(fake, clock) as client:
        for _ in range(3):
            await client.list_work_classifications()
        assert clock.slept == []
        fake.answers.append(classifications())
        await client.list_work_classifications()
    assert clock.slept == [4.0]


async def test_a_pause_past_the_retry_budget_is_handed_back_without_sending() -> None:
    clock = WallClock()
    fake = FakeProcore([classifications(**window(clock, 0, 1800))])
    async with paced(fake, clock) as client:
        await client.list_work_classifications()
        with pytest.raises(RateLimited) as caught:
            await client.list_work_classifications()
    assert caught.value.retry_after == 1800.0
    assert clock.slept == []
    assert len(fake.api_calls) == 1


async def test_a_project_persons_email_is_read_from_its_contact() -> None:
    fake = FakeProcore([reply(200, "project_people_list_200.json")])
    async with procore(fake) as client:
        people = await client.list_project_people(PROJECT_ID)
    assert [(p.last_name, p.email_address) for p in people] == [
        ("Rossi", "ana.rossi@acme.example"),
        ("Ruiz", None),
    ]


STAFFDESK_ORIGIN = NewProjectPerson(
    last_name="Ruiz", first_name="Ana", job_title="Foreman", origin_id="55001"
)


def listed(**person: Any) -> httpx.Response:
    """The project's people after a lost create: a namesake from before, and `person`."""
    before = {"id": 9000000050, "first_name": "Ana", "last_name": "Ruiz", "job_title": "Foreman"}
    before["created_at"] = "2020-01-01T00:00:00Z"
    found = {"id": 9000000101, "first_name": "Ana", "last_name": "Ruiz", "job_title": "Foreman", **person}
    return httpx.Response(200, json=[before, found], headers={"Total": "2"})


@pytest.mark.parametrize("origin_id", ["55001", 55001, " 055001 "], ids=["string", "number", "padded"])
async def test_a_lost_create_is_found_by_its_origin_id_read_back_as_text_or_number(origin_id: object) -> None:
    fake = FakeProcore([httpx.ReadTimeout, listed(origin_id=origin_id, created_at="2020-01-01T00:00:00Z")])
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, STAFFDESK_ORIGIN)
    assert (created.value.id, created.recovered) == (9000000101, True)
    lookup = fake.requests[-1]
    assert (lookup.method, lookup.url.params["view"]) == ("GET", "web")


async def test_a_person_with_another_origin_id_is_not_taken_for_the_one_sent() -> None:
    answers: list[Answer] = [
        httpx.ReadTimeout,
        listed(origin_id="77"),
        reply(201, "project_people_create_201.json"),
    ]
    fake = FakeProcore(answers)
    async with procore(fake) as client:
        created = await client.create_project_person(PROJECT_ID, STAFFDESK_ORIGIN)
    assert fake.api_calls == [("POST", PEOPLE_PATH), ("GET", PEOPLE_PATH), ("POST", PEOPLE_PATH)]
    assert created.recovered is False


@pytest.mark.parametrize(
    ("created_seconds_after_start", "found"),
    [(0, True), (25, True), (-59, True), (-3600, False), (3600, False)],
)
async def test_without_an_origin_id_the_person_is_found_by_name_title_and_creation_time(
    created_seconds_after_start: int, found: bool
) -> None:
    clock = WallClock()
    created_at = datetime.fromtimestamp(clock.now + created_seconds_after_start, UTC).isoformat()
    fake = FakeProcore(
        [
            httpx.ReadTimeout,
            listed(origin_id=None, created_at=created_at),
            reply(201, "project_people_create_201.json"),
        ]
    )
    async with procore(fake, now=clock) as client:
        created = await client.create_project_person(PROJECT_ID, STAFFDESK_ORIGIN)
    assert created.recovered is found
    assert len(fake.api_calls) == (2 if found else 3)


async def test_without_an_origin_id_another_job_title_is_another_person() -> None:
    clock = WallClock()
    now = datetime.fromtimestamp(clock.now, UTC).isoformat()
    answers: list[Answer] = [
        httpx.ReadTimeout,
        listed(origin_id=None, created_at=now, job_title="Electrician"),
        reply(201, "project_people_create_201.json"),
    ]
    fake = FakeProcore(answers)
    async with procore(fake, now=clock) as client:
        created = await client.create_project_person(PROJECT_ID, STAFFDESK_ORIGIN)
    assert created.recovered is False


async def test_a_later_attempt_looks_back_to_when_the_first_may_have_been_sent() -> None:
    clock = WallClock()
    approved = datetime.fromtimestamp(clock.now - 3 * 3600, UTC)
    created_at = (approved + timedelta(minutes=1)).isoformat()
    fake = FakeProcore([listed(origin_id=None, created_at=created_at)])
    async with procore(fake, now=clock) as client:
        created = await client.create_project_person(
            PROJECT_ID, STAFFDESK_ORIGIN, look_first=True, sent_since=approved
        )
    assert (created.value.id, created.recovered) == (9000000101, True)
    assert fake.api_calls == [("GET", PEOPLE_PATH)]
