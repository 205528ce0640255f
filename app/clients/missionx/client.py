"""The MissionX Open API client: project people, projects, org roles and org people."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, ValidationError

from app.clients.errors import (
    AnswerLost,
    Conflict,
    FieldError,
    Forbidden,
    InvalidData,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.clients.http import DEFAULT_TIMEOUT, json_or_none, send
from app.clients.missionx.auth import UPSTREAM, MissionXAuth
from app.clients.missionx.models import (
    NewProjectPerson,
    OrgPerson,
    OrgRole,
    Page,
    Project,
    ProjectPerson,
)
from app.clients.retry import Created, RetryPolicy, create_once, retry_after_seconds, retry_read

M = TypeVar("M", bound=BaseModel)
DEFAULT_RETRY = RetryPolicy()

_BY_STATUS: dict[int, type[UpstreamError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
}


class _OrgRoles(BaseModel):
    roles: list[OrgRole] = Field(default_factory=list)


class MissionXClient:
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

    async def __aenter__(self) -> MissionXClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def add_project_person(
        self, project_id: str, new: NewProjectPerson, *, look_first: bool = False, notify: bool = True
    ) -> Created[ProjectPerson]:
        """Add a person to a project exactly once; an entry with the same e-mail counts as the one sent."""
        path = f"/projects/{_segment(project_id)}/people"
        params = None if notify else {"notify": "false"}

        async def create() -> ProjectPerson:
            response = await self._request("POST", path, params=params, json=new.to_wire())
            return _model(ProjectPerson, _json(response), f"POST {path}")

        async def find() -> ProjectPerson | None:
            project = await self._fetch_project(project_id, expand_people=True)
            return project.person_with_email(new.email)

        return await create_once(self._retry, create, find, look_first=look_first)

    async def get_project(self, project_id: str, *, expand_people: bool = True) -> Project:
        read = partial(self._fetch_project, project_id, expand_people=expand_people)
        return await retry_read(self._retry, read)

    async def list_projects(self, *, with_archived: bool = True) -> list[Project]:
        params = {"withArchived": "true"} if with_archived else {}
        return [_model(Project, item, "GET /projects") for item in await self._list_all("/projects", params)]

    async def list_roles(self) -> list[OrgRole]:
        read = partial(self._request, "GET", "/orgs/me", params={"select": "roles"})
        response = await retry_read(self._retry, read)
        return _model(_OrgRoles, _json(response), "GET /orgs/me").roles

    async def list_org_people(self) -> list[OrgPerson]:
        items = await self._list_all("/orgs/people", {})
        return [_model(OrgPerson, item, "GET /orgs/people") for item in items]

    async def _fetch_project(self, project_id: str, *, expand_people: bool) -> Project:
        path = f"/projects/{_segment(project_id)}"
        params = {"expand": "people"} if expand_people else None
        response = await self._request("GET", path, params=params)
        return _model(Project, _json(response), f"GET {path}")

    async def _list_all(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every item of a `{value, nextLink}` list, following `nextLink` (absolute or relative)."""
        items: list[dict[str, Any]] = []
        target, query = path, params or None
        seen: set[str] = set()
        while True:
            read = partial(self._request, "GET", target, params=query)
            response = await retry_read(self._retry, read)
            page = _model(Page, _json(response), f"GET {path}")
            items.extend(page.value)
            if not page.next_link:
                return items
            target, query = _next_page(response.url, page.next_link, seen), None

    async def _request(
        self, method: str, url: str, *, params: dict[str, str] | None = None, json: Any = None
    ) -> httpx.Response:
        """Send one request; any answer but a 2xx becomes the matching typed error."""
        response = await send(self._http, UPSTREAM, method, url, params=params, json=json)
        if response.is_success:
            return response
        raise _error_for(response, f"{method} {response.request.url.path}", self._auth.scrub)


def _segment(value: str) -> str:
    return quote(value, safe="")


def _next_page(current: httpx.URL, link: str, seen: set[str]) -> str:
    """The next page's URL, resolved against the current one; it must stay on the same origin."""
    seen.add(str(current))
    target = current.join(link)
    if (target.scheme, target.host, target.port) != (current.scheme, current.host, current.port):
        raise UpstreamError(UPSTREAM, f"nextLink of {current.path} leaves the API; not followed")
    if str(target) in seen:
        raise UpstreamError(UPSTREAM, f"nextLink of {current.path} repeats a page")
    return str(target)


def _json(response: httpx.Response) -> Any:
    body = json_or_none(response)
    if body is None:
        where = f"{response.request.method} {response.request.url.path}"
        raise AnswerLost(UPSTREAM, f"the answer to {where} is not JSON", status=response.status_code)
    return body


def _model(model: type[M], data: Any, where: str) -> M:
    # A 2xx whose body cannot be read is treated like a lost answer: a create may have taken effect.
    try:
        return model.model_validate(data)
    except ValidationError:
        raise AnswerLost(UPSTREAM, f"the answer to {where} does not have the documented shape") from None


def _error_for(response: httpx.Response, where: str, scrub: Callable[[str], str]) -> UpstreamError:
    """The typed error for a non-2xx answer, read from the documented `{message, code, data}` body."""
    body = json_or_none(response)
    envelope = body if isinstance(body, dict) else {}
    raw_message = envelope.get("message")
    code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
    reason = raw_message if isinstance(raw_message, str) and raw_message else response.reason_phrase
    message = scrub(reason or "no message")
    text = f"{message} ({where})"
    status = response.status_code
    retry_after = retry_after_seconds(response.headers)
    if status in (400, 422):
        failures = _failures(envelope.get("data"), message, scrub)
        return InvalidData(UPSTREAM, text, failures, status=status, code=code)
    if status == 429:
        return RateLimited(UPSTREAM, text, retry_after=retry_after, code=code)
    if status >= 500:
        return ServerError(UPSTREAM, text, status=status, retry_after=retry_after, code=code)
    return _BY_STATUS.get(status, UpstreamError)(UPSTREAM, text, status=status, code=code)


def _failures(data: Any, message: str, scrub: Callable[[str], str]) -> list[FieldError]:
    """Which fields a 400 names.

    The docs leave `data` free-form. It names fields as `{"field": name[, "message": text]}` or as a
    `{field: message}` map; anything else (`{"key": null}`, no data) becomes one failure with field ""
    (the request as a whole) and the body's `message`, while the error's `code` keeps the upstream's code.
    """
    if isinstance(data, dict):
        field = data.get("field")
        if isinstance(field, str) and field:
            detail = data.get("message")
            return [FieldError(field, scrub(detail) if isinstance(detail, str) and detail else message)]
        named = [FieldError(k, scrub(v)) for k, v in data.items() if isinstance(v, str) and v and k]
        if named:
            return named
    return [FieldError("", message)]
