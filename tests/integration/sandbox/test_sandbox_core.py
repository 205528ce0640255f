"""The simulators' shared parts: injected faults, the call log, rate limits and the loopback server."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import (
    Fault,
    IssuedTokens,
    RateLimiter,
    SandboxControl,
    bearer_token,
    sandbox_app,
    serve_in_background,
    status_phrase,
)


def build() -> tuple[SandboxControl, list[str], list[int]]:
    control = SandboxControl()
    created: list[str] = []
    resets: list[int] = []
    return control, created, resets


def app_for(control: SandboxControl, created: list[str], resets: list[int]):  # type: ignore[no-untyped-def]
    async def create(request: Request) -> Response:
        created.append((await request.json())["name"])
        return JSONResponse({"id": len(created)}, status_code=201)

    def error_body(status: int, fault: Fault) -> Response:
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after else {}
        return JSONResponse({"error": f"injected {status}"}, status_code=status, headers=headers)

    return sandbox_app(
        [Route("/things", create, methods=["POST"])], control, error_body, lambda: resets.append(1)
    )


async def test_a_fault_before_commit_answers_its_status_and_changes_nothing() -> None:
    control, created, resets = build()
    async with (
        serve_in_background(app_for(control, created, resets)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        await http.post("/_sandbox/faults", json={"status": 503, "count": 2, "retry_after": 7})
        answers = [await http.post("/things", json={"name": f"t{i}"}) for i in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 201]
    assert answers[0].headers["Retry-After"] == "7"
    assert created == ["t2"]
    assert [(c.method, c.path, c.status) for c in control.calls] == [
        ("POST", "/things", s) for s in (503, 503, 201)
    ]


async def test_a_fault_after_commit_loses_the_answer_but_keeps_the_change() -> None:
    control, created, resets = build()
    async with (
        serve_in_background(app_for(control, created, resets)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        await http.post("/_sandbox/faults", json={"status": 504, "after_commit": True, "method": "POST"})
        lost = await http.post("/things", json={"name": "kept"})
    assert lost.status_code == 504
    assert created == ["kept"]


async def test_a_delayed_answer_after_commit_times_the_client_out() -> None:
    control, created, resets = build()
    async with serve_in_background(app_for(control, created, resets)) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            await http.post("/_sandbox/faults", json={"after_commit": True, "delay_seconds": 1.0})
        async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(5.0, read=0.2)) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.post("/things", json={"name": "slow"})
    assert created == ["slow"]


async def test_faults_match_only_their_method_and_path() -> None:
    control = SandboxControl(faults=[Fault(status=500, method="GET", path_prefix="/a")])
    assert control.take("POST", "/a/1") is None
    assert control.take("GET", "/b") is None
    assert control.take("GET", "/a/1") is not None
    assert control.take("GET", "/a/1") is None


async def test_reset_clears_faults_and_calls_and_reseeds() -> None:
    control, created, resets = build()
    async with (
        serve_in_background(app_for(control, created, resets)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        await http.post("/_sandbox/faults", json=[{"status": 500}, {"status": 502}])
        await http.post("/_sandbox/reset")
        answer = await http.post("/things", json={"name": "fresh"})
    assert answer.status_code == 201
    assert resets == [1]


def test_the_rate_limiter_counts_a_window_per_key_and_says_when_it_resets() -> None:
    now = [1000.0]
    limiter = RateLimiter(limit=2, window_seconds=60, clock=lambda: now[0])
    assert limiter.hit("a") == (True, 1, 1060.0)
    assert limiter.hit("a") == (True, 0, 1060.0)
    assert limiter.hit("a") == (False, 0, 1060.0)
    assert limiter.hit("b")[0]
    now[0] = 1060.0
    assert limiter.hit("a") == (True, 1, 1120.0)


def test_the_rate_limiter_says_how_long_to_wait_and_forgets_its_windows_when_cleared() -> None:
    now = [1000.0]
    limiter = RateLimiter(limit=1, window_seconds=60, clock=lambda: now[0])
    _, _, reset_at = limiter.hit("a")
    assert not limiter.hit("a")[0]
    now[0] = 1000.2
    assert limiter.retry_after(reset_at) == 60
    now[0] = 1059.5
    assert limiter.retry_after(reset_at) == 1
    now[0] = 1075.0
    assert limiter.retry_after(reset_at) == 1
    now[0] = 1000.2
    limiter.clear()
    assert limiter.hit("a")[0]


def test_issued_tokens_are_valid_only_when_issued_here_and_until_they_expire() -> None:
    tokens = IssuedTokens()
    token = tokens.issue(100.0, prefix="sim-", nbytes=8)
    assert token.startswith("sim-")
    assert token in tokens
    assert tokens.valid(token, 99.9)
    assert not tokens.valid(token, 100.0)
    assert not tokens.valid("sim-unknown", 0.0)
    assert not tokens.valid(None, 0.0)
    assert tokens.issue(100.0) != tokens.issue(100.0)


def test_a_bearer_token_is_read_whatever_the_case_of_its_scheme() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("abc") is None
    assert bearer_token("") is None


def test_an_injected_fault_names_its_wait_in_whole_seconds_and_its_status_in_words() -> None:
    assert Fault(retry_after=2.1).retry_after_header() == {"Retry-After": "3"}
    assert Fault(retry_after=0).retry_after_header() == {"Retry-After": "0"}
    assert Fault().retry_after_header() == {}
    assert status_phrase(503) == "Service Unavailable"
    assert status_phrase(599) == "Error"
