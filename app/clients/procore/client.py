"""Async client of the Procore REST API v1.0: project people, projects, work classifications, users."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.clients.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidData,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    UpstreamError,
)
from app.clients.http import DEFAULT_TIMEOUT, json_or_none, send
from app.clients.procore.auth import AccessToken, ProcoreAuth
from app.clients.procore.models import (
    CompanyUser,
    NewProjectPerson,
    Project,
    ProjectPerson,
    WorkClassification,
)
from app.clients.retry import Created, RetryPolicy, create_once, retry_after_seconds, retry_read

UPSTREAM = "Procore"
API = "/rest/v1.0"
PER_PAGE = 500
VIEWS = frozenset({"normal", "extended", "web"})
_MAX_MESSAGE = 500
_BY_STATUS: dict[int, type[UpstreamError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}

M = TypeVar("M", bound=BaseModel)
Fetch = Callable[[str, dict[str, Any]], Awaitable[httpx.Response]]


class _TokenAnswer(BaseModel):
    access_token: str
    expires_in: float = 5400.0


@dataclass
class Problem:
    """What an error body says, whatever its shape: loose notes and per-field messages."""

    notes: list[str] = field(default_factory=list)
    failures: list[FieldError] = field(default_factory=list)
    code: str | None = None

    def message(self, fallback: str) -> str:
        parts = [*self.notes, *(f"{f.field}: {f.message}" for f in self.failures)]
        return "; ".join(parts)[:_MAX_MESSAGE] or fallback


def read_problem(response: httpx.Response) -> Problem:
    """Parse `{"errors": str | {field: [msg]} | [...]}`, `{"error": str | {code, message, details}}`,
    `{"message": str}` or a plain-text body."""
    body = json_or_none(response)
    problem = Problem()
    if isinstance(body, dict) and "errors" in body:
        _collect_errors(body["errors"], problem, None)
    elif isinstance(body, dict) and isinstance(body.get("error"), dict):
        _collect_error_object(body["error"], problem)
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        problem.code = body["error"]
        problem.notes.append(str(body.get("error_description") or body["error"]))
    elif isinstance(body, dict) and isinstance(body.get("message"), str):
        problem.notes.append(body["message"])
    elif isinstance(body, list | str):
        _collect_errors(body, problem, None)
    elif body is None:
        text = " ".join(response.text.split())
        if text and not text.startswith("<"):  # an HTML error page says nothing the status does not
            problem.notes.append(text)
    return problem


def _collect_errors(value: Any, problem: Problem, field_name: str | None) -> None:
    if isinstance(value, str):
        if field_name:
            problem.failures.append(FieldError(field_name, value))
        else:
            problem.notes.append(value)
    elif isinstance(value, list):
        for item in value:
            _collect_errors(item, problem, field_name)
    elif isinstance(value, dict) and "errors" in value:
        _collect_errors(value["errors"], problem, field_name)
    elif isinstance(value, dict) and isinstance(value.get("message"), str):
        _collect_errors(value["message"], problem, value.get("field") or field_name)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect_errors(item, problem, f"{field_name}.{key}" if field_name else str(key))


def _collect_error_object(error: dict[str, Any], problem: Problem) -> None:
    problem.code = str(error["code"]) if error.get("code") is not None else None
    message = error.get("message") or error.get("error")
    if isinstance(message, str):
        problem.notes.append(message)
    _collect_errors(error.get("details") or [], problem, None)


def error_for(response: httpx.Response, problem: Problem) -> UpstreamError:
    """The typed error for a non-success answer."""
    status = response.status_code
    message = problem.message(response.reason_phrase or f"status {status}")
    if status in (400, 422):
        return InvalidData(UPSTREAM, message, problem.failures, status=status, code=problem.code)
    if status == 429:
        wait = retry_after_seconds(response.headers)
        return RateLimited(UPSTREAM, message, retry_after=wait, code=problem.code)
    if status >= 500:
        # Every Procore answer carries X-Rate-Limit-Reset; only Retry-After speaks of a server error.
        only = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
        wait = retry_after_seconds(only)
        return ServerError(UPSTREAM, message, status=status, retry_after=wait, code=problem.code)
    kind = _BY_STATUS.get(status, UpstreamError)
    return kind(UPSTREAM, message, status=status, code=problem.code)


def _scrubbed(problem: Problem, secrets: list[str]) -> Problem:
    def scrub(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "[redacted]")
        return text

    return Problem(
        [scrub(n) for n in problem.notes],
        [FieldError(f.field, scrub(f.message)) for f in problem.failures],
        problem.code,
    )


def _has_next_page(response: httpx.Response, seen: int, batch: int) -> bool:
    """A next page exists when `Link` names one; without `Link`, while `Total` is not yet read."""
    if batch == 0:
        return False
    if response.headers.get("Link"):
        return "next" in response.links
    total = response.headers.get("Total", "")
    return total.isdigit() and seen < int(total)


class ProcoreClient:
    """Procore for one company, with a client-credentials (service account) token."""

    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        company_id: int,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (a frozen dataclass)
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._company_id = company_id
        self._retry = retry
        self._auth = ProcoreAuth(self._fetch_token, clock=clock)
        self._http = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout, auth=self._auth
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create_project_person(
        self, project_id: int, new: NewProjectPerson, *, view: str = "normal", look_first: bool = False
    ) -> Created[ProjectPerson]:
        """Add a reference user to a project, exactly once: after a lost answer it is looked up by name
        (and employee_id / origin_id when given) before being sent again."""
        if view not in VIEWS:
            raise ValueError(f"view must be one of {sorted(VIEWS)}, not {view!r}")
        path = f"{API}/projects/{project_id}/people"

        async def create() -> ProjectPerson:
            response = await self._request("POST", path, params={"view": view}, json=new.request_body())
            return _parse(response, ProjectPerson)

        async def find() -> ProjectPerson | None:
            people = await self._list(path, ProjectPerson, {}, self._get)
            return max((p for p in people if new.matches(p)), key=lambda p: p.id, default=None)

        return await create_once(self._retry, create, find, look_first=look_first)

    async def list_project_people(self, project_id: int) -> list[ProjectPerson]:
        return await self._list(f"{API}/projects/{project_id}/people", ProjectPerson, {}, self._get_retried)

    async def list_projects(self, *, include_inactive: bool = False) -> list[Project]:
        """The company's projects; Procore lists only active ones unless asked for all."""
        params: dict[str, Any] = {"company_id": self._company_id}
        if include_inactive:
            params["filters[by_status]"] = "All"
        return await self._list(f"{API}/projects", Project, params, self._get_retried)

    async def list_work_classifications(self) -> list[WorkClassification]:
        path = f"{API}/companies/{self._company_id}/work_classifications"
        return await self._list(path, WorkClassification, {}, self._get_retried)

    async def list_company_users(self) -> list[CompanyUser]:
        path = f"{API}/companies/{self._company_id}/users"
        return await self._list(path, CompanyUser, {}, self._get_retried)

    async def _list(self, path: str, model: type[M], params: dict[str, Any], fetch: Fetch) -> list[M]:
        items: list[M] = []
        page = 1
        while True:
            response = await fetch(path, {**params, "page": page, "per_page": PER_PAGE})
            batch = _parse_list(response, model)
            items.extend(batch)
            if not _has_next_page(response, len(items), len(batch)):
                return items
            page += 1

    async def _get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        return await self._request("GET", path, params=params)

    async def _get_retried(self, path: str, params: dict[str, Any]) -> httpx.Response:
        return await retry_read(self._retry, lambda: self._get(path, params))

    async def _request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> httpx.Response:
        headers = {"Procore-Company-Id": str(self._company_id)}
        response = await send(self._http, UPSTREAM, method, path, params=params, json=json, headers=headers)
        if response.is_success:
            return response
        raise error_for(response, self._read_problem(response))

    async def _fetch_token(self) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        response = await send(self._http, UPSTREAM, "POST", self._token_url, data=form, auth=None)
        if response.status_code in (400, 401, 403):
            problem = self._read_problem(response)
            message = f"no access token: {problem.message('refused')}"
            raise Unauthorized(UPSTREAM, message, status=response.status_code, code=problem.code)
        if not response.is_success:
            raise error_for(response, self._read_problem(response))
        answer = _parse(response, _TokenAnswer)
        return AccessToken(answer.access_token, answer.expires_in)

    def _read_problem(self, response: httpx.Response) -> Problem:
        secrets = [s for s in (self._client_secret, *self._auth.issued) if s]
        return _scrubbed(read_problem(response), secrets)


def _parse(response: httpx.Response, model: type[M]) -> M:
    try:
        return model.model_validate(json_or_none(response))
    except ValidationError:
        raise _unexpected(response) from None


def _parse_list(response: httpx.Response, model: type[M]) -> list[M]:
    body = json_or_none(response)
    if not isinstance(body, list):
        raise _unexpected(response)
    try:
        return [model.model_validate(item) for item in body]
    except ValidationError:
        raise _unexpected(response) from None


def _unexpected(response: httpx.Response) -> UpstreamError:
    request = response.request
    what = f"{request.method} {request.url.path}"
    return UpstreamError(UPSTREAM, f"unexpected answer to {what}", status=response.status_code)
