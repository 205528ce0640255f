"""What the simulators share: faults, a call log, rate limits, tokens, HTTP helpers and a loopback server."""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

import uvicorn
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

CONTROL_PREFIX = "/_sandbox"


class Fault(BaseModel):
    """One injected misbehaviour, applied to the next `count` matching calls.

    Before the simulator handles the call (`after_commit` false): wait `delay_seconds`, then answer `status`.
    After it has handled and committed the call (`after_commit` true): wait `delay_seconds` (longer than the
    client's read time-out loses the answer), then answer `status` instead of the real answer, if given.
    """

    status: int | None = None
    count: int = Field(default=1, ge=1)
    delay_seconds: float = Field(default=0.0, ge=0)
    after_commit: bool = False
    method: str | None = None
    path_prefix: str | None = None
    retry_after: float | None = None

    def retry_after_header(self) -> dict[str, str]:
        """`Retry-After` in whole seconds, rounded up, when the fault names a wait; else no header."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(math.ceil(self.retry_after))}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int


ErrorBody = Callable[[int, Fault], Response]


@dataclass
class SandboxControl:
    """Faults waiting to fire and the log of calls, shared by a simulator's middleware and routes."""

    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0  # the most calls being answered at one time, since the start or a reset

    def begin(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def end(self) -> None:
        self.in_flight -= 1

    def take(self, method: str, path: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.method and fault.method.upper() != method.upper():
                continue
            if fault.path_prefix and not path.startswith(fault.path_prefix):
                continue
            if fault.count <= 1:
                self.faults.pop(index)
            else:
                self.faults[index] = fault.model_copy(update={"count": fault.count - 1})
            return fault
        return None

    def calls_to(self, method: str, path_prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]


class FaultMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, control: SandboxControl, error_body: ErrorBody) -> None:
        super().__init__(app)
        self.control = control
        self.error_body = error_body

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith(CONTROL_PREFIX):
            return await call_next(request)
        self.control.begin()
        try:
            response = await self._answer(request, call_next)
        finally:
            self.control.end()
        self.control.calls.append(Call(request.method, path, response.status_code))
        return response

    async def _answer(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        fault = self.control.take(request.method, request.url.path)
        if fault is not None and not fault.after_commit:
            await asyncio.sleep(fault.delay_seconds)
            return self.error_body(fault.status or 500, fault)
        response = await call_next(request)
        if fault is not None:
            await asyncio.sleep(fault.delay_seconds)
            if fault.status is not None:
                response = self.error_body(fault.status, fault)
        return response


def control_routes(control: SandboxControl, reset: Callable[[], None]) -> list[Route]:
    """`POST /_sandbox/faults` adds faults, `DELETE` clears them, `POST /_sandbox/reset` reseeds."""

    async def add_faults(request: Request) -> Response:
        body = await request.json()
        items = body if isinstance(body, list) else [body]
        control.faults.extend(Fault.model_validate(item) for item in items)
        return JSONResponse({"pending": len(control.faults)})

    async def clear_faults(_: Request) -> Response:
        control.faults.clear()
        return JSONResponse({"pending": 0})

    async def reset_all(_: Request) -> Response:
        control.faults.clear()
        control.calls.clear()
        control.most_in_flight = control.in_flight
        reset()
        return JSONResponse({"reset": True})

    return [
        Route(f"{CONTROL_PREFIX}/faults", add_faults, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/reset", reset_all, methods=["POST"]),
    ]


@dataclass
class RateLimiter:
    """A fixed window per key: `limit` calls every `window_seconds`; None means unlimited."""

    limit: int | None
    window_seconds: float = 3600.0
    clock: Callable[[], float] = time.time
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count one call; returns (allowed, remaining, reset as Unix time)."""
        now = self.clock()
        start, used = self._windows.get(key, (now, 0))
        if now - start >= self.window_seconds:
            start, used = now, 0
        reset_at = start + self.window_seconds
        if self.limit is None:
            return True, 1_000_000, reset_at
        if used >= self.limit:
            return False, 0, reset_at
        self._windows[key] = (start, used + 1)
        return True, self.limit - used - 1, reset_at

    def retry_after(self, reset_at: float) -> int:
        """Whole seconds from now until `reset_at`, rounded up, and at least one."""
        return max(1, math.ceil(reset_at - self.clock()))

    def clear(self) -> None:
        """Forget every window, as a restarted upstream would."""
        self._windows.clear()


class IssuedTokens(dict[str, float]):
    """The access tokens a simulator's token endpoint has handed out, each with its expiry (Unix time)."""

    def issue(self, expires_at: float, *, prefix: str = "", nbytes: int = 32) -> str:
        token = prefix + secrets.token_urlsafe(nbytes)
        self[token] = expires_at
        return token

    def valid(self, token: str | None, now: float) -> bool:
        """Whether `token` was issued here and has not expired at `now`."""
        expires_at = None if token is None else self.get(token)
        return expires_at is not None and now < expires_at


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, the scheme in any case; else None."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def json_body(request: Request, refusal: Exception) -> Any:
    """The request body parsed as JSON; `refusal` is raised when it is not JSON."""
    try:
        return json.loads(await request.body())
    except ValueError:
        raise refusal from None


def status_phrase(status: int) -> str:
    """The standard reason phrase of `status`, or `Error` for a code that has none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _EmbeddedServer(uvicorn.Server):
    """A server that leaves signals to its host process, which may run several servers at once: each
    uvicorn server would otherwise take over SIGINT and SIGTERM in turn and hand them on in turn."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serve_in_background(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on loopback inside the running event loop; yields its base URL."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError(f"the sandbox server on {host}:{port} did not start")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        await task


def sandbox_app(
    routes: list[Route],
    control: SandboxControl,
    error_body: ErrorBody,
    reset: Callable[[], None],
) -> Starlette:
    """A simulator app: its routes, the control routes, and the fault middleware around them."""
    app = Starlette(routes=[*control_routes(control, reset), *routes])
    app.add_middleware(FaultMiddleware, control=control, error_body=error_body)
    return app


Handler = Callable[[Request], Awaitable[Response]]


class SimulatedApi(Protocol):
    """One upstream's endpoints: their routes, a reset to the seed, and its answer to an injected fault."""

    def routes(self) -> list[Route]: ...

    def reset(self) -> None: ...

    def error_body(self, status: int, fault: Fault) -> Response: ...


def simulator_app(api: SimulatedApi) -> tuple[Starlette, SandboxControl]:
    """The app that serves `api` behind fault control, and that control."""
    control = SandboxControl()
    return sandbox_app(api.routes(), control, api.error_body, api.reset), control


@dataclass
class Simulator(ABC):
    """One upstream's simulator: its ASGI app and its fault control."""

    name: str
    app: Starlette
    control: SandboxControl

    @abstractmethod
    def settings_for(self, base_url: str) -> dict[str, str]:
        """The environment variables that point Staffdesk at this simulator served at `base_url`."""
