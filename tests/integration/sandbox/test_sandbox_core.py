"""The simulators' shared parts: injected faults, the call log, rate limits and the loopback server."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import Fault, RateLimiter, SandboxControl, sandbox_app, serve_in_background


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
