"""ClientCredentialsAuth against httpx.MockTransport: one fetch at a time, renewal, 401s and secrets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from app.clients.errors import RateLimited, ServerError, Unauthorized, UpstreamError
from app.clients.http import Problem
from app.clients.oauth import ClientCredentialsAuth, TokenBody

TOKEN_URL = "https://login.vendor.test/oauth/token"
API_URL = "https://api.vendor.test/v1/things"
CLIENT_ID = "staffdesk-client"
SECRET = "client-secret-8c1e"
START = 1000.0
GUARD = 10.0  # seconds before a test that waits on other calls fails instead of hanging


def read_refusal(response: httpx.Response) -> Problem:
    """A reader that repeats the whole body, as a careless upstream might echo the secret."""
    return Problem(f"no token: {response.text}")


@dataclass
class Clock:
    now: float = START

    def __call__(self) -> float:
        return self.now


@dataclass
class Vendor:
    """Issues `tok-<n>` (after `gate` opens, when there is one); the API refuses the tokens in `revoked`.

    With `hold_refused` set, a refused call is answered only once that many refused calls have come in.
    """

    lifetime: float | None = 3600
    token_answers: list[httpx.Response] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    gate: asyncio.Event | None = None
    hold_refused: int = 0
    token_requests: list[httpx.Request] = field(default_factory=list)
    api_requests: list[httpx.Request] = field(default_factory=list)
    bearers: list[str] = field(default_factory=list)
    fetching: int = 0
    most_fetching: int = 0
    fetch_started: asyncio.Event = field(default_factory=asyncio.Event)
    refused_arrived: list[str] = field(default_factory=list)
    all_refused: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return await self._token(request)
        return await self._api(request)

    async def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_requests.append(request)
        self.fetching += 1
        self.most_fetching = max(self.most_fetching, self.fetching)
        self.fetch_started.set()
        if self.gate is not None:
            await self.gate.wait()
        self.fetching -= 1
        if self.token_answers:
            return self.token_answers.pop(0)
        answer: dict[str, object] = {
            "access_token": f"tok-{len(self.token_requests)}",
            "token_type": "bearer",
        }
        if self.lifetime is not None:
            answer["expires_in"] = self.lifetime
        return httpx.Response(200, json=answer)

    async def _api(self, request: httpx.Request) -> httpx.Response:
        self.api_requests.append(request)
        bearer = request.headers.get("Authorization", "")
        self.bearers.append(bearer)
        if bearer.removeprefix("Bearer ") not in self.revoked:
            return httpx.Response(200, json={"ok": True})
        self.refused_arrived.append(bearer)
        if len(self.refused_arrived) >= self.hold_refused:
            self.all_refused.set()
        await self.all_refused.wait()
        return httpx.Response(401, json={"message": "token refused"})


def make_auth(
    clock: Clock | None = None, *, headers: dict[str, str] | None = None, body: TokenBody = "form"
) -> ClientCredentialsAuth:
    return ClientCredentialsAuth(
        "Vendor",
        TOKEN_URL,
        CLIENT_ID,
        SECRET,
        read_refusal=read_refusal,
        default_lifetime=600.0,
        headers=headers,
        body=body,
        clock=clock or Clock(),
    )


def client_for(vendor: Vendor, auth: ClientCredentialsAuth) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(vendor), auth=auth)


async def test_concurrent_calls_wait_for_the_one_token_fetch_under_way() -> None:
    gate = asyncio.Event()
    vendor = Vendor(gate=gate)
    async with client_for(vendor, make_auth()) as client, asyncio.timeout(GUARD):
        calls = [asyncio.create_task(client.get(API_URL)) for _ in range(5)]
        await vendor.fetch_started.wait()
        gate.set()
        answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * 5
    assert (len(vendor.token_requests), vendor.most_fetching) == (1, 1)
    assert vendor.bearers == ["Bearer tok-1"] * 5


@pytest.mark.parametrize(
    ("lifetime", "kept_at", "renewed_at"),
    [(40, 19, 21), (3600, 3539, 3541), (None, 539, 541)],
    ids=["short-lived-renewed-at-half", "long-lived-renewed-a-minute-early", "no-expires-in-uses-default"],
)
async def test_a_token_is_renewed_once_less_than_min_60s_or_half_its_lifetime_is_left(
    lifetime: float | None, kept_at: float, renewed_at: float
) -> None:
    clock = Clock()
    vendor = Vendor(lifetime=lifetime)
    async with client_for(vendor, make_auth(clock)) as client:
        await client.get(API_URL)
        clock.now = START + kept_at
        await client.get(API_URL)
        clock.now = START + renewed_at
        await client.get(API_URL)
    assert vendor.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_401_fetches_a_new_token_and_sends_the_call_once_more() -> None:
    vendor = Vendor(revoked={"tok-1"})
    async with client_for(vendor, make_auth()) as client:
        answer = await client.post(API_URL, json={"name": "Ana"})
    assert answer.status_code == 200
    assert vendor.bearers == ["Bearer tok-1", "Bearer tok-2"]
    assert [json.loads(r.content) for r in vendor.api_requests] == [{"name": "Ana"}] * 2


async def test_a_second_401_is_the_answer_without_a_third_try() -> None:
    vendor = Vendor(revoked={"tok-1", "tok-2"})
    async with client_for(vendor, make_auth()) as client:
        answer = await client.get(API_URL)
    assert answer.status_code == 401
    assert (len(vendor.token_requests), vendor.bearers) == (2, ["Bearer tok-1", "Bearer tok-2"])


async def test_a_401_for_a_token_another_call_already_replaced_fetches_no_other() -> None:
    vendor = Vendor(revoked={"tok-1"}, hold_refused=2)
    async with client_for(vendor, make_auth()) as client, asyncio.timeout(GUARD):
        answers = await asyncio.gather(client.get(API_URL), client.get(API_URL))
    assert [a.status_code for a in answers] == [200, 200]
    assert len(vendor.token_requests) == 2
    assert sorted(vendor.bearers) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]


GRANT = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}


@pytest.mark.parametrize(
    ("body", "content_type", "decode"),
    [
        ("form", "application/x-www-form-urlencoded", lambda raw: dict(httpx.QueryParams(raw.decode()))),
        ("json", "application/json", json.loads),
    ],
)
async def test_the_grant_is_sent_as_asked_with_the_upstream_headers_on_every_request(
    body: TokenBody, content_type: str, decode: Callable[[bytes], object]
) -> None:
    vendor = Vendor()
    auth = make_auth(headers={"Org-Id": "org-42"}, body=body)
    async with client_for(vendor, auth) as client:
        await client.get(API_URL)
    (token_request,), (call,) = vendor.token_requests, vendor.api_requests
    assert decode(token_request.content) == GRANT
    assert token_request.headers["Content-Type"] == content_type
    assert (token_request.method, token_request.headers["Org-Id"]) == ("POST", "org-42")
    assert (call.headers["Org-Id"], call.headers["Authorization"]) == ("org-42", "Bearer tok-1")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx.Response(400, json={"error": "invalid_grant", "secret": SECRET}), Unauthorized),
        (httpx.Response(401, text=f"client {CLIENT_ID}:{SECRET} unknown"), Unauthorized),
        (httpx.Response(403, json={"message": f"{SECRET} may not"}), Unauthorized),
        (httpx.Response(404, text=f"no route for {SECRET}"), Unauthorized),
        (httpx.Response(429, text=f"slow down {SECRET}", headers={"Retry-After": "5"}), RateLimited),
        (httpx.Response(503, text=f"maintenance {SECRET}"), ServerError),
        (httpx.Response(200, json={"token_type": "bearer", "echo": SECRET}), UpstreamError),
    ],
    ids=["400", "401", "403", "404", "429", "503", "no-token"],
)
async def test_a_refused_token_request_is_typed_and_never_shows_the_secret(
    answer: httpx.Response, kind: type[UpstreamError]
) -> None:
    vendor = Vendor(token_answers=[answer])
    async with client_for(vendor, make_auth()) as client:
        with pytest.raises(kind) as raised:
            await client.get(API_URL)
    assert type(raised.value) is kind
    assert (raised.value.upstream, raised.value.status) == ("Vendor", answer.status_code)
    assert SECRET not in str(raised.value)
    assert vendor.api_requests == []


async def test_a_refused_renewal_shows_neither_the_secret_nor_a_token_issued_before() -> None:
    clock = Clock()
    echo = httpx.Response(401, json={"error": f"tok-1 was revoked; {CLIENT_ID}:{SECRET} is locked"})
    vendor = Vendor(lifetime=120)
    auth = make_auth(clock)
    async with client_for(vendor, auth) as client:
        await client.get(API_URL)
        vendor.token_answers.append(echo)
        clock.now = START + 119
        with pytest.raises(Unauthorized) as raised:
            await client.get(API_URL)
    text = str(raised.value)
    assert "tok-1" not in text
    assert SECRET not in text
    assert "***" in text
    assert auth.secrets == (SECRET, "tok-1")


def test_a_blocking_client_is_refused_rather_than_sent_without_a_token() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with (
        httpx.Client(transport=httpx.MockTransport(answer), auth=make_auth()) as client,
        pytest.raises(RuntimeError, match="AsyncClient only"),
    ):
        client.get(API_URL)
    assert sent == []
