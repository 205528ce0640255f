"""The stand-in's HTTP surface: the page and its files, what the page asks for, and Slack's Web API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.demo.client import Place, SlackClient, Unavailable
from app.demo.snapshot import snapshot
from app.demo.store import SlackState
from app.demo.web_api import WebApi, web_api_routes

STATIC = Path(__file__).with_name("static")
POLL_SECONDS = 20.0
Values = dict[str, dict[str, dict[str, Any]]]
M = TypeVar("M", bound=BaseModel)


class _Asked(BaseModel):
    user: str = Field(max_length=40)


class Typed(_Asked):
    channel: str = Field(max_length=40)
    text: str = Field(max_length=4000)
    thread_ts: str | None = None


class Acted(_Asked):
    view_id: str | None = None
    channel: str | None = None
    ts: str | None = None
    block_id: str
    action_id: str
    state: dict[str, Any] | None = None
    values: Values = Field(default_factory=dict)


class Submitted(_Asked):
    view_id: str
    values: Values = Field(default_factory=dict)


class Closed(_Asked):
    view_id: str
    everything: bool = False


class Searched(_Asked):
    view_id: str
    block_id: str
    action_id: str
    value: str = Field(max_length=500)
    values: Values = Field(default_factory=dict)


class Opened(_Asked):
    tab: Literal["home", "messages"] = "home"


Handler = Callable[[Request], Awaitable[Response]]


def _taking(model: type[M], act: Callable[[M], Awaitable[dict[str, Any] | None]]) -> Handler:
    """A page request: JSON only (a form post from another site cannot pass for one), read as `model`."""

    async def handle(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return JSONResponse({"problem": "send JSON"}, status_code=415)
        try:
            asked = model.model_validate_json(await request.body())
        except ValidationError as error:
            return JSONResponse(
                {"problem": f"not understood ({error.error_count()} problems)"}, status_code=400
            )
        try:
            answer = await act(asked)
        except Unavailable as gone:
            return JSONResponse({"problem": str(gone)}, status_code=409)
        return JSONResponse(answer or {})

    return handle


def page_routes(state: SlackState, client: SlackClient) -> list[Route | Mount]:
    async def index(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def seen(request: Request) -> Response:
        user = request.query_params.get("user", "")
        if state.workspace.user(user) is None:
            user = state.workspace.cast[0].user_id
        try:
            after = int(request.query_params.get("after", "-1"))
        except ValueError:
            after = -1
        if after >= state.version:
            await state.wait_past(after, POLL_SECONDS)
        return JSONResponse(snapshot(state, user))

    async def typed(asked: Typed) -> None:
        await client.type(asked.user, asked.channel, asked.text, asked.thread_ts)

    async def acted(asked: Acted) -> None:
        place = Place(asked.view_id, asked.channel, asked.ts)
        await client.act(asked.user, place, asked.block_id, asked.action_id, asked.state, asked.values)

    async def submitted(asked: Submitted) -> dict[str, Any]:
        return {"errors": await client.submit(asked.user, asked.view_id, asked.values)}

    async def closed(asked: Closed) -> None:
        await client.close(asked.user, asked.view_id, everything=asked.everything)

    async def searched(asked: Searched) -> dict[str, Any]:
        ids = (asked.block_id, asked.action_id)
        return await client.options(asked.user, asked.view_id, *ids, asked.value, asked.values)

    async def opened(asked: Opened) -> None:
        await client.open_home(asked.user, asked.tab)

    return [
        Route("/", index),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/demo/state", seen),
        Route("/demo/type", _taking(Typed, typed), methods=["POST"]),
        Route("/demo/act", _taking(Acted, acted), methods=["POST"]),
        Route("/demo/submit", _taking(Submitted, submitted), methods=["POST"]),
        Route("/demo/close", _taking(Closed, closed), methods=["POST"]),
        Route("/demo/options", _taking(Searched, searched), methods=["POST"]),
        Route("/demo/home", _taking(Opened, opened), methods=["POST"]),
    ]


def build_stand_in(state: SlackState, client: SlackClient, api: WebApi) -> Starlette:
    """The page, what it asks for, and the Web API, on one loopback server; other host names are refused,
    so that a web page elsewhere cannot reach the demo through a name that points at this machine."""
    return Starlette(
        routes=[*page_routes(state, client), *web_api_routes(api)],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])],
    )
