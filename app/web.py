"""The HTTP surface: health and metrics now; the Slack endpoints mount here too."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.observability import DATABASE_UP

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_SECONDS = 3.0

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
        handler = AsyncSlackRequestHandler(slack_app)
        verifier = SignatureVerifier(signing_secret)

        async def slack_events(request: Request) -> Response:
            """Signed requests go to Bolt; a signed request Bolt cannot even read is a 400, not a 500."""
            body = (await request.body()).decode("utf-8", errors="replace")
            if not verifier.is_valid_request(body, dict(request.headers)):
                return JSONResponse({"error": "invalid request"}, status_code=401)
            if request.headers.get("x-slack-retry-num") and '"event_callback"' in body:
                # Events are acknowledged before they are handled, so a redelivery was handled already.
                return JSONResponse({"ok": True}, headers={"X-Slack-No-Retry": "1"})
            try:
                response = await handler.handle(request)
            except Exception:
                response = None
                log.exception("a signed Slack request could not be read")
            if response is not None and response.status_code < 500:
                return response
            # Our listeners report their own errors, so a failure here is Bolt unable to read the payload.
            reference = uuid.uuid4().hex[:8]
            log.warning(
                "a signed Slack request (%d bytes) was malformed (reference %s)", len(body), reference
            )
            return JSONResponse({"error": f"malformed request ({reference})"}, status_code=400)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes, lifespan=background or no_background)
