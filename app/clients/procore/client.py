"""Async client of the Procore REST API v1.0: project people, projects, work classifications, users."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.clients.errors import FieldError, UpstreamError
from app.clients.http import DEFAULT_TIMEOUT, HttpClient, Problem, error_for_status, json_or_none, send, where
from app.clients.oauth import ClientCredentialsAuth
from app.clients.pacing import RatePacer
from app.clients.procore.models import (
    CompanyUser,
    NewProjectPerson,
    Project,
    ProjectPerson,
    WorkClassification,
)
from app.clients.retry import Created, RetryPolicy, create_once, retry_read

UPSTREAM = "Procore"
API = "/rest/v1.0"
PER_PAGE = 500
VIEWS = frozenset({"normal", "extended", "web"})
TOKEN_LIFETIME = 5400.0
_MAX_MESSAGE = 500
# How far Procore's `created_at` may stray from this host's clock: clock skew between the two hosts and
# Procore's whole-second timestamps. The lost-answer lookup widens its window by this much on each side.
CLOCK_SLACK = timedelta(seconds=60)

M = TypeVar("M", bound=BaseModel)
Fetch = Callable[[str, dict[str, Any]], Awaitable[httpx.Response]]


@dataclass
class _Said:
    """What an error body says, whatever its shape: loose notes and per-field messages."""

    notes: list[str] = field(default_factory=list)
    failures: list[FieldError] = field(default_factory=list)
    code: str | None = None

    def text(self) -> str:
        parts = [*self.notes, *(f"{f.field}: {f.message}" for f in self.failures)]
        return "; ".join(parts)[:_MAX_MESSAGE]


def read_problem(response: httpx.Response) -> Problem:
    """What an error answer says, or its status when it says nothing."""
    said = _read(response)
    return Problem(
        said.text() or response.reason_phrase or f"status {response.status_code}", said.failures, said.code
    )


def _token_refusal(response: httpx.Response) -> Problem:
    said = _read(response)
    return Problem(f"no access token: {said.text() or 'refused'}", said.failures, said.code)


def _read(response: httpx.Response) -> _Said:
    """Parse `{"errors": str | {field: [msg]} | [...]}`, `{"error": str | {code, message, details}}`,
    `{"message": str}` or a plain-text body."""
    body = json_or_none(response)
    said = _Said()
    if isinstance(body, dict) and "errors" in body:
        _collect_errors(body["errors"], said, None)
    elif isinstance(body, dict) and isinstance(body.get("error"), dict):
        _collect_error_object(body["error"], said)
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        said.code = body["error"]
        said.notes.append(str(body.get("error_description") or body["error"]))
    elif isinstance(body, dict) and isinstance(body.get("message"), str):
        said.notes.append(body["message"])
    elif isinstance(body, list | str):
        _collect_errors(body, said, None)
    elif body is None:
        text = " ".join(response.text.split())
        if text and not text.startswith("<"):  # an HTML error page says nothing the status does not
            said.notes.append(text)
    return said


def _collect_errors(value: Any, said: _Said, field_name: str | None) -> None:
    if isinstance(value, str):
        if field_name:
            said.failures.append(FieldError(field_name, value))
        else:
            said.notes.append(value)
    elif isinstance(value, list):
        for item in value:
            _collect_errors(item, said, field_name)
    elif isinstance(value, dict) and "errors" in value:
        _collect_errors(value["errors"], said, field_name)
    elif isinstance(value, dict) and isinstance(value.get("message"), str):
        _collect_errors(value["message"], said, value.get("field") or field_name)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect_errors(item, said, f"{field_name}.{key}" if field_name else str(key))


def _collect_error_object(error: dict[str, Any], said: _Said) -> None:
    said.code = str(error["code"]) if error.get("code") is not None else None
    message = error.get("message") or error.get("error")
    if isinstance(message, str):
        said.notes.append(message)
    _collect_errors(error.get("details") or [], said, None)


def _has_next_page(response: httpx.Response, seen: int, batch: int) -> bool:
    """A next page exists when `Link` names one; without `Link`, while `Total` is not yet read."""
    if batch == 0:
        return False
    if response.headers.get("Link"):
        return "next" in response.links
    total = response.headers.get("Total", "")
    return total.isdigit() and seen < int(total)


class ProcoreClient(HttpClient):
    """Procore for one company, with a client-credentials (service account) token.

    Requests are paced by the rate-limit headers of the answers (see RatePacer): when none remain, the
    next one waits for the window's reset on `now` (wall time), sleeping with the retry policy's `sleep`.
    """

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
        now: Callable[[], float] = time.time,
    ) -> None:
        self._company_id = company_id
        self._retry = retry
        self._now = now
        self._pacer = RatePacer(UPSTREAM, clock=now, sleep=retry.sleep, max_wait=retry.max_delay)
        self._auth = ClientCredentialsAuth(
            UPSTREAM,
            token_url,
            client_id,
            client_secret,
            read_refusal=_token_refusal,
            default_lifetime=TOKEN_LIFETIME,
            clock=clock,
        )
        self._http = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout, auth=self._auth
        )

    async def create_project_person(
        self,
        project_id: int,
        new: NewProjectPerson,
        *,
        view: str = "normal",
        look_first: bool = False,
        sent_since: datetime | None = None,
    ) -> Created[ProjectPerson]:
        """Add a reference user to a project, exactly once.

        After a lost answer the project's people are read (web view) and one matching `new` counts as
        created (see NewProjectPerson.matches). A person that came back without an origin id counts only
        when created between the earliest moment this one may have been sent (`sent_since`, an aware
        datetime, else this call's start) and the lookup, each widened by CLOCK_SLACK.
        """
        if view not in VIEWS:
            raise ValueError(f"view must be one of {sorted(VIEWS)}, not {view!r}")
        path = f"{API}/projects/{project_id}/people"
        started = self._wall_time()
        earliest = started if sent_since is None else min(started, sent_since)

        async def create() -> ProjectPerson:
            response = await self._request("POST", path, params={"view": view}, json=new.request_body())
            return _parse(response, ProjectPerson)

        async def find() -> ProjectPerson | None:
            people = await self._list(path, ProjectPerson, {"view": "web"}, self._get)
            window = (earliest - CLOCK_SLACK, self._wall_time() + CLOCK_SLACK)
            return max((p for p in people if new.matches(p, window)), key=lambda p: p.id, default=None)

        return await create_once(self._retry, create, find, look_first=look_first)

    def _wall_time(self) -> datetime:
        return datetime.fromtimestamp(self._now(), UTC)

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
        await self._pacer.take_turn()
        response = await send(
            self._http,
            UPSTREAM,
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            secrets=self._auth.secrets,
        )
        self._pacer.observe(response.headers)
        if response.is_success:
            return response
        raise error_for_status(response, UPSTREAM, read_problem, self._auth.secrets)


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
    call = where(response.request.method, response.request.url)
    return UpstreamError(UPSTREAM, f"unexpected answer to {call}", status=response.status_code)
