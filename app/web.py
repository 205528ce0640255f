"""The HTTP surface: /healthz, /metrics and, in HTTP mode, Slack's requests at /slack/events."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.observability import DATABASE_UP

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_SECONDS = 3.0
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_MAX_AGE_SECONDS = 5 * 60

HealthProbe = Callable[[], Awaitable[None]]
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def build_web_app(
    database_probe: HealthProbe,
    background: Lifespan | None = None,
    slack_app: AsyncApp | None = None,
    signing_secret: str = "",
) -> Starlette:
    async def healthz(_: Request) -> Response:
        try:
            await asyncio.wait_for(database_probe(), timeout=HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:
            DATABASE_UP.set(0)
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            return JSONResponse(
                {"status": "unavailable", "database": f"unreachable ({type(exc).__name__})"}, status_code=503
            )
        DATABASE_UP.set(1)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def no_background(_: Starlette) -> AsyncIterator[None]:
        yield

    routes = [Route("/healthz", healthz), Route("/metrics", metrics)]
    if slack_app is not None:
        routes.append(Route("/slack/events", slack_endpoint(slack_app, signing_secret), methods=["POST"]))
    return Starlette(routes=routes, lifespan=background or no_background)


def slack_endpoint(slack_app: AsyncApp, signing_secret: str) -> Callable[[Request], Awaitable[Response]]:
    """Requests from Slack: unsigned, stale or oversized ones are refused before their body is read whole;
    signed ones go to Bolt, and a signed request Bolt cannot even read is a 400, not a 500."""
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        if not recently_signed(request.headers, time.time()):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        raw = await read_at_most(request, MAX_BODY_BYTES)
        if raw is None:
            log.warning("refused a request to /slack/events larger than %d bytes", MAX_BODY_BYTES)
            return JSONResponse({"error": "request too large"}, status_code=413)
        body = raw.decode("utf-8", errors="replace")
        if not verifier.is_valid_request(body, dict(request.headers)):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        if request.headers.get("x-slack-retry-num") and '"event_callback"' in body:
            # Events are acknowledged before they are handled, so a redelivery was handled already.
            return JSONResponse({"ok": True}, headers={"X-Slack-No-Retry": "1"})
        return await dispatch(slack_app, request, raw)

    return slack_events


def recently_signed(headers: Headers, now: float) -> bool:
    """Whether a request carries Slack's signature headers, with a timestamp within five minutes of `now`."""
    try:
        stamp = int(headers.get("x-slack-request-timestamp", ""))
    except ValueError:
        return False
    return bool(headers.get("x-slack-signature")) and abs(now - stamp) <= SIGNATURE_MAX_AGE_SECONDS


async def read_at_most(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as its declared length or the bytes received pass `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def dispatch(slack_app: AsyncApp, request: Request, raw: bytes) -> Response:
    """Bolt's answer to a signed request whose body was read already."""
    try:
        response = to_starlette_response(await slack_app.async_dispatch(to_async_bolt_request(request, raw)))
    except Exception:
        response = None
        log.exception("a signed Slack request could not be read")
    if response is not None and response.status_code < 500:
        return response
    # Our listeners report their own errors, so a failure here is Bolt unable to read the payload.
    reference = uuid.uuid4().hex[:8]
    log.warning("a signed Slack request (%d bytes) was malformed (reference %s)", len(raw), reference)
    return JSONResponse({"error": f"malformed request ({reference})"}, status_code=400)
