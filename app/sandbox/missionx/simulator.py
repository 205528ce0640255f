"""A local MissionX: OAuth2 client credentials at /auth/token, projects, project people and the org at /v2."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import (
    Fault,
    Handler,
    RateLimiter,
    Simulator,
    bearer_token,
    json_body,
    simulator_app,
)
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.missionx.state import (
    ASSUMED_HEADER,
    MISSIONX_SANDBOX_CLIENT_ID,
    MISSIONX_SANDBOX_CLIENT_SECRET,
    MISSIONX_SANDBOX_ORG_ID,
    MissionXState,
    Refusal,
)

API = "/v2"
DOCUMENTED_STATUSES = frozenset({200, 400, 500})
PAGE_SIZE = 40
MAX_PAGE_SIZE = 100
RATE_WINDOW_SECONDS = 60.0
_TRUE = {"true", "1"}


@dataclass
class MissionXSimulator(Simulator):
    """The simulator and its organisation's data (`state`), credentials included."""

    state: MissionXState

    def settings_for(self, base_url: str) -> dict[str, str]:
        root = base_url.rstrip("/")
        return {
            "MISSIONX_BASE_URL": root + API,
            "MISSIONX_TOKEN_URL": root + "/auth/token",
            "MISSIONX_CLIENT_ID": self.state.client_id,
            "MISSIONX_CLIENT_SECRET": self.state.client_secret,
            "MISSIONX_ORG_ID": self.state.org_id,
        }


def build_missionx_simulator(
    company: DemoCompany | None = None,
    *,
    client_id: str = MISSIONX_SANDBOX_CLIENT_ID,
    client_secret: str = MISSIONX_SANDBOX_CLIENT_SECRET,
    org_id: str = MISSIONX_SANDBOX_ORG_ID,
    token_lifetime_seconds: int = 14400,
    rate_limit: int | None = None,
    clock: Callable[[], float] = time.time,
) -> MissionXSimulator:
    """A MissionX simulator seeded from the demo company; `rate_limit` calls a minute when set."""
    state = MissionXState(
        company or demo_company(), client_id, client_secret, org_id, token_lifetime_seconds, clock
    )
    limiter = RateLimiter(rate_limit, window_seconds=RATE_WINDOW_SECONDS, clock=clock)
    api = MissionXApi(state, limiter)
    app, control = simulator_app(api)
    return MissionXSimulator("missionx", app, control, state)


Endpoint = Callable[[Request], Awaitable[Any]]


@dataclass
class MissionXApi:
    """The simulated endpoints over one organisation's state."""

    state: MissionXState
    limiter: RateLimiter

    def routes(self) -> list[Route]:
        api = self._guarded
        return [
            Route("/auth/token", _answering(self.issue_token), methods=["POST"]),
            Route(f"{API}/projects", api(self.list_projects), methods=["GET"]),
            Route(f"{API}/projects/{{project_id}}", api(self.get_project), methods=["GET"]),
            Route(f"{API}/projects/{{project_id}}/people", api(self.add_person), methods=["POST"]),
            Route(f"{API}/orgs/me", api(self.get_org), methods=["GET"]),
            Route(f"{API}/orgs/people", api(self.list_org_people), methods=["GET"]),
        ]

    def reset(self) -> None:
        """Back to the demo company; issued tokens and the rate windows stay."""
        self.state.reseed()

    @staticmethod
    def error_body(status: int, fault: Fault) -> Response:
        """An injected fault in the documented error shape; the codes are the sandbox's own, and a status
        the reference does not show is marked assumed."""
        code = "rate_limited" if status == 429 else "internal_error" if status >= 500 else "sandbox_fault"
        body = {"message": f"injected fault: {status}", "code": code, "data": {}}
        headers = fault.retry_after_header()
        if status not in DOCUMENTED_STATUSES:
            headers[ASSUMED_HEADER] = f"status {status} is not documented; injected by a test"
        return JSONResponse(body, status_code=status, headers=headers)

    async def issue_token(self, request: Request) -> Any:
        return await _issue_token(self.state, request)

    async def list_projects(self, request: Request) -> Any:
        projects = _archived_filter(request, list(self.state.projects.values()))
        codes = _list_param(request, "projectCode")
        projects = [p for p in projects if not codes or p["projectCode"] in codes]
        return _page(request, [_project(self.state, p, request) for p in projects])

    async def get_project(self, request: Request) -> Any:
        return _project(self.state, self.state.project(request.path_params["project_id"]), request)

    async def add_person(self, request: Request) -> Any:
        notify = request.query_params.get("notify", "true").lower() not in {"false", "0"}
        body = await json_body(request, Refusal(400, "invalid_body", "the body must be JSON"))
        return self.state.add_project_person(request.path_params["project_id"], body, notify=notify)

    async def get_org(self, request: Request) -> Any:
        state = self.state
        org = {"_id": state.org_id, "title": "Acme", "currency": "EUR", "roles": state.roles}
        org["people"] = state.org_people
        wanted = _list_param(request, "select")
        return {k: v for k, v in org.items() if k == "_id" or not wanted or k in wanted}

    async def list_org_people(self, request: Request) -> Any:
        people = _archived_filter(request, self.state.org_people)
        email = request.query_params.get("email", "").casefold()
        people = [p for p in people if not email or p["email"].casefold() == email]
        if "person" in _list_param(request, "expand"):
            people = [self.state.expanded(p) for p in people]
        return _page(request, people)

    def _guarded(self, endpoint: Endpoint) -> Handler:
        """Only with a valid, unexpired bearer token and within the rate limit.

        401 and 429 are not documented (nor is any rate limit); they answer in the documented error shape,
        marked assumed.
        """

        async def guarded(request: Request) -> Any:
            if not self.state.token_valid(bearer_token(request.headers.get("Authorization", ""))):
                why = "401 is not documented; a bad or expired token is refused with it"
                raise Refusal(
                    401, "unauthorized", "the access token is missing, unknown or expired", assumed=why
                )
            allowed, _, reset_at = self.limiter.hit(self.state.client_id)
            if not allowed:
                wait = self.limiter.retry_after(reset_at)
                why = "MissionX documents no rate limit; this one is the sandbox's own"
                raise Refusal(429, "rate_limited", "too many requests", retry_after=wait, assumed=why)
            return await endpoint(request)

        return _answering(guarded)


def _answering(endpoint: Endpoint) -> Handler:
    """A route handler: the endpoint's value as a 200, or its Refusal in the documented error shape."""

    async def handler(request: Request) -> Response:
        try:
            return JSONResponse(await endpoint(request))
        except Refusal as refusal:
            return JSONResponse(refusal.body, status_code=refusal.status, headers=refusal.headers())

    return handler


_OAUTH_ASSUMED = "the token request's body and refusals are not documented; standard OAuth2 is assumed"


async def _issue_token(state: MissionXState, request: Request) -> dict[str, Any]:
    """Client credentials from a form (or JSON) body; the docs require the Org-Id header."""
    org_id = request.headers.get("Org-Id", "").strip()
    if not org_id:
        message = "the Org-Id header is required"
        why = "the reference requires Org-Id but does not show the answer without it"
        raise Refusal(400, "org_id_required", message, {"header": "Org-Id"}, assumed=why)
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("Content-Type", "").startswith("application/json"):
        form = _json_object(raw)
    else:
        form = dict(parse_qsl(raw))
    if form.get("grant_type") != "client_credentials":
        message = "grant_type must be client_credentials"
        raise Refusal(400, "unsupported_grant_type", message, {"field": "grant_type"}, assumed=_OAUTH_ASSUMED)
    given = (str(form.get("client_id", "")), str(form.get("client_secret", "")), org_id)
    expected = (state.client_id, state.client_secret, state.org_id)
    if not all(secrets.compare_digest(a.encode(), b.encode()) for a, b in zip(given, expected, strict=True)):
        message = "the client credentials are not valid for this organization"
        raise Refusal(401, "invalid_client", message, assumed=_OAUTH_ASSUMED)
    token = state.issue_token()
    return {"access_token": token, "token_type": "Bearer", "expires_in": state.token_lifetime_seconds}


def _json_object(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise Refusal(400, "invalid_body", "the body must be JSON") from None
    return value if isinstance(value, dict) else {}


def _list_param(request: Request, name: str) -> set[str]:
    """An array query parameter, repeated or comma separated."""
    return {item.strip() for value in request.query_params.getlist(name) for item in value.split(",") if item}


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in _TRUE


def _archived_filter(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`withArchived` keeps all, `archived` keeps only the archived ones, neither keeps the live ones."""
    if _flag(request, "withArchived"):
        return items
    archived = _flag(request, "archived")
    return [item for item in items if bool(item.get("archived")) == archived]


def _project(state: MissionXState, project: dict[str, Any], request: Request) -> dict[str, Any]:
    """A project as answered: its `people` only with `expand=people` (or the older `people.person`),
    each with the person's document in place of the id."""
    if not _list_param(request, "expand") & {"people", "people.person"}:
        return {key: value for key, value in project.items() if key != "people"}
    return {**project, "people": [state.expanded(entry) for entry in project["people"]]}


def _page(request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of `{value, nextLink}`: `limit` (default 40, 1..100) items from `skip`."""
    limit = _int_param(request, "limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    skip = _int_param(request, "skip", 0, 0, None)
    body: dict[str, Any] = {"value": items[skip : skip + limit]}
    if skip + limit < len(items):
        body["nextLink"] = str(request.url.include_query_params(skip=skip + limit, limit=limit))
    if _flag(request, "count"):
        body["count"] = len(items)
    return body


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else "")
        why = "the bounds are documented, the parameter names limit and skip are not"
        message = f"{name} must be a whole number {bounds}"
        raise Refusal(400, "invalid_query", message, {"field": name}, assumed=why)
    return value
