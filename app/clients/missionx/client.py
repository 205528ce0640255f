"""The MissionX Open API client: project people, projects, org roles and org people."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, ValidationError

from app.clients.errors import AnswerLost, FieldError, UpstreamError
from app.clients.http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    Problem,
    error_for_status,
    json_or_none,
    scrub,
    send,
    where,
)
from app.clients.missionx.models import (
    NewProjectPerson,
    OrgPerson,
    OrgRole,
    Page,
    Project,
    ProjectPerson,
)
from app.clients.oauth import ClientCredentialsAuth
from app.clients.retry import Created, RetryPolicy, create_once, retry_read

UPSTREAM = "MissionX"
DOCUMENTED_LIFETIME = 14400.0

M = TypeVar("M", bound=BaseModel)
DEFAULT_RETRY = RetryPolicy()


class _OrgRoles(BaseModel):
    roles: list[OrgRole] = Field(default_factory=list)


class MissionXAuth(ClientCredentialsAuth):
    """Client credentials of one MissionX organisation, named by `Org-Id` on the token request and every
    call."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        org_id: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            UPSTREAM,
            token_url,
            client_id,
            client_secret,
            read_refusal=_token_refusal,
            default_lifetime=DOCUMENTED_LIFETIME,
            headers={"Org-Id": org_id},
            clock=clock,
        )


class MissionXClient(HttpClient):
    """One MissionX organisation, reached with OAuth2 client credentials."""

    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        org_id: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._auth = MissionXAuth(token_url, client_id, client_secret, org_id)
        self._retry = retry
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=self._auth,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )

    async def add_project_person(
        self, project_id: str, new: NewProjectPerson, *, look_first: bool = False, notify: bool = True
    ) -> Created[ProjectPerson]:
        """Add a person to a project exactly once; an entry with the same e-mail counts as the one sent."""
        path = f"/projects/{_segment(project_id)}/people"
        params = None if notify else {"notify": "false"}

        async def create() -> ProjectPerson:
            response = await self._request("POST", path, params=params, json=new.to_wire())
            return _model(ProjectPerson, self._json(response), f"POST {path}")

        async def find() -> ProjectPerson | None:
            project = await self._fetch_project(project_id, expand_people=True)
            return project.person_with_email(new.email)

        return await create_once(self._retry, create, find, look_first=look_first)

    async def get_project(self, project_id: str, *, expand_people: bool = True) -> Project:
        read = partial(self._fetch_project, project_id, expand_people=expand_people)
        return await retry_read(self._retry, read)

    async def list_projects(
        self, *, with_archived: bool = True, expand_people: bool = False
    ) -> list[Project]:
        """Every project; their `people` come only with `expand_people` (`expand=people`)."""
        params = {"withArchived": "true"} if with_archived else {}
        if expand_people:
            params["expand"] = "people"
        return [_model(Project, item, "GET /projects") for item in await self._list_all("/projects", params)]

    async def list_roles(self) -> list[OrgRole]:
        read = partial(self._request, "GET", "/orgs/me", params={"select": "roles"})
        response = await retry_read(self._retry, read)
        return _model(_OrgRoles, self._json(response), "GET /orgs/me").roles

    async def list_org_people(self) -> list[OrgPerson]:
        items = await self._list_all("/orgs/people", {})
        return [_model(OrgPerson, item, "GET /orgs/people") for item in items]

    async def _fetch_project(self, project_id: str, *, expand_people: bool) -> Project:
        path = f"/projects/{_segment(project_id)}"
        params = {"expand": "people"} if expand_people else None
        response = await self._request("GET", path, params=params)
        return _model(Project, self._json(response), f"GET {path}")

    async def _list_all(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every item of a `{value, nextLink}` list, following `nextLink` (absolute or relative)."""
        items: list[dict[str, Any]] = []
        target, query = path, params or None
        seen: set[str] = set()
        while True:
            read = partial(self._request, "GET", target, params=query)
            response = await retry_read(self._retry, read)
            page = _model(Page, self._json(response), f"GET {path}")
            items.extend(page.value)
            if not page.next_link:
                return items
            target, query = _next_page(response.url, page.next_link, seen, self._auth.secrets), None

    async def _request(
        self, method: str, url: str, *, params: dict[str, str] | None = None, json: Any = None
    ) -> httpx.Response:
        """Send one request; any answer but a 2xx becomes the matching typed error."""
        response = await send(
            self._http, UPSTREAM, method, url, params=params, json=json, secrets=self._auth.secrets
        )
        if response.is_success:
            return response
        raise error_for_status(response, UPSTREAM, _problem, self._auth.secrets)

    def _json(self, response: httpx.Response) -> Any:
        body = json_or_none(response)
        if body is None:
            call = where(response.request.method, response.request.url, self._auth.secrets)
            raise AnswerLost(UPSTREAM, f"the answer to {call} is not JSON", status=response.status_code)
        return body


def _segment(value: str) -> str:
    return quote(value, safe="")


def _next_page(current: httpx.URL, link: str, seen: set[str], secrets: tuple[str, ...]) -> str:
    """The next page's URL, resolved against the current one; it must stay on the same origin."""
    seen.add(str(current))
    target = current.join(link)
    page = scrub(current.path, secrets)
    if (target.scheme, target.host, target.port) != (current.scheme, current.host, current.port):
        raise UpstreamError(UPSTREAM, f"nextLink of {page} leaves the API; not followed")
    if str(target) in seen:
        raise UpstreamError(UPSTREAM, f"nextLink of {page} repeats a page")
    return str(target)


def _model(model: type[M], data: Any, call: str) -> M:
    # A 2xx whose body cannot be read is treated like a lost answer: a create may have taken effect.
    try:
        return model.model_validate(data)
    except ValidationError:
        raise AnswerLost(UPSTREAM, f"the answer to {call} does not have the documented shape") from None


def _problem(response: httpx.Response) -> Problem:
    """What a `{message, code, data}` error body says, naming the call it answers."""
    body = json_or_none(response)
    envelope = body if isinstance(body, dict) else {}
    raw_message, raw_code = envelope.get("message"), envelope.get("code")
    reason = (raw_message if isinstance(raw_message, str) else "") or response.reason_phrase or "no message"
    code = raw_code if isinstance(raw_code, str) else None
    request = response.request
    text = f"{reason} ({where(request.method, request.url)})"
    return Problem(text, _failures(envelope.get("data"), reason), code)


def _failures(data: Any, message: str) -> list[FieldError]:
    """Which fields a 400 names.

    The docs leave `data` free-form. It names fields as `{"field": name[, "message": text]}` or as a
    `{field: message}` map; anything else (`{"key": null}`, no data) becomes one failure with field ""
    (the request as a whole) and the body's `message`, while the error's `code` keeps the upstream's code.
    """
    if isinstance(data, dict):
        field = data.get("field")
        if isinstance(field, str) and field:
            detail = data.get("message")
            return [FieldError(field, detail if isinstance(detail, str) and detail else message)]
        named = [FieldError(k, v) for k, v in data.items() if isinstance(v, str) and v and k]
        if named:
            return named
    return [FieldError("", message)]


def _token_refusal(response: httpx.Response) -> Problem:
    """Why no token came: the documented `message`, or OAuth2's `error_description` or `error`."""
    body = json_or_none(response)
    envelope = body if isinstance(body, dict) else {}
    said = (envelope.get(key) for key in ("message", "error_description", "error"))
    detail = next((text for text in said if isinstance(text, str) and text), None)
    return Problem(f"the token request was refused: {detail or response.reason_phrase or 'no detail'}")
