"""A local Wethod that enforces the documented contract: headers, token, validation, paging, 409/412/429."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import (
    Fault,
    Handler,
    RateLimiter,
    Simulator,
    json_body,
    simulator_app,
    status_phrase,
)
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.wethod.http import (
    ALLOCATION_FILTERS,
    PERSON_FILTERS,
    PROJECT_FILTERS,
    WHITELIST_FILTERS,
    BodyReader,
    Problem,
    invalid,
    listed,
    not_found,
    parse_list_query,
    path_id,
)
from app.sandbox.wethod.state import ProjectRow, WethodState

WETHOD_SANDBOX_TOKEN = "wethod-sandbox-token"  # noqa: S105 (a fixed token for the local simulator)
WETHOD_SANDBOX_COMPANY = "acme"
WETHOD_SANDBOX_VERSION = "2024-06-15"
RATE_LIMIT_WINDOW_SECONDS = 3600.0

_FAULT_KEYS = {
    400: "invalid_data",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "invalid_action",
    412: "precondition_failure",
    429: "too_many_requests",
}


@dataclass
class WethodAccess:
    """Who may call: the token, company and version expected, the token person's permissions."""

    token: str
    company_slug: str
    version: str
    me_id: int
    limiter: RateLimiter
    permissions: set[str] | None = None


@dataclass
class WethodSimulator(Simulator):
    """The simulator, its data (`state`) and who may call it (`access`)."""

    state: WethodState
    access: WethodAccess

    def settings_for(self, base_url: str) -> dict[str, str]:
        return {
            "WETHOD_BASE_URL": base_url,
            "WETHOD_TOKEN": self.access.token,
            "WETHOD_COMPANY": self.access.company_slug,
            "WETHOD_VERSION": self.access.version,
        }


def build_wethod_simulator(
    company: DemoCompany | None = None,
    *,
    token: str = WETHOD_SANDBOX_TOKEN,
    company_slug: str = WETHOD_SANDBOX_COMPANY,
    version: str = WETHOD_SANDBOX_VERSION,
    rate_limit: int | None = None,
    permissions: set[str] | None = None,
) -> WethodSimulator:
    """A Wethod seeded with the demo company; the token belongs to its first person.

    `permissions` None grants everything; a set grants only what it names. `rate_limit` counts calls per
    token per hour.
    """
    company = company or demo_company()
    state = WethodState(company)
    access = WethodAccess(
        token=token,
        company_slug=company_slug,
        version=version,
        me_id=company.people[0].id,
        limiter=RateLimiter(rate_limit, RATE_LIMIT_WINDOW_SECONDS),
        permissions=permissions,
    )
    api = WethodApi(state, access)
    app, control = simulator_app(api)
    app.add_exception_handler(HTTPException, _no_route)
    return WethodSimulator("Wethod", app, control, state, access)


def _seconds(value: float) -> str:
    return f"{value:g}"


async def _no_route(_: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    key = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
    return Problem(status, key, status_phrase(status)).response()


class WethodApi:
    """Handlers over one WethodState; `routes()` wraps each with the checks every Wethod call gets."""

    def __init__(self, state: WethodState, access: WethodAccess) -> None:
        self.state = state
        self.access = access

    def routes(self) -> list[Route]:
        table: list[tuple[str, Handler, str]] = [
            ("/api/people-allocations", self.list_allocations, "GET"),
            ("/api/people-allocations", self.create_allocation, "POST"),
            ("/api/people-allocations/{id}", self.update_allocation, "PATCH"),
            ("/api/people-allocations/{id}", self.delete_allocation, "DELETE"),
            ("/api/timesheet-whitelists", self.list_whitelists, "GET"),
            ("/api/timesheet-whitelists", self.create_whitelist, "POST"),
            ("/api/timesheet-whitelists/{id}", self.get_whitelist, "GET"),
            ("/api/timesheet-whitelists/{id}", self.delete_whitelist, "DELETE"),
            ("/api/persons", self.list_persons, "GET"),
            ("/api/persons/me", self.get_me, "GET"),
            ("/api/persons/{id}", self.get_person, "GET"),
            ("/api/projects", self.list_projects, "GET"),
            ("/api/projects/{id}", self.get_project, "GET"),
        ]
        return [Route(path, self._guarded(handler), methods=[method]) for path, handler, method in table]

    def reset(self) -> None:
        self.state.reseed()
        self.access.limiter.clear()

    @staticmethod
    def error_body(status: int, fault: Fault) -> Response:
        """An injected fault as Wethod would answer it, with its wait header when the fault gives one."""
        key = _FAULT_KEYS.get(status, "server_error" if status >= 500 else "error")
        headers: dict[str, str] = {}
        if fault.retry_after is not None and status == 429:
            headers["x-ratelimit-retry-after"] = _seconds(fault.retry_after)
        if fault.retry_after is not None and status == 503:
            headers["Retry-After"] = _seconds(fault.retry_after)
        failures: list[tuple[str, str]] | None = [] if status == 400 else None
        return Problem(status, key, status_phrase(status), failures=failures, headers=headers).response()

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                self._check_caller(request.headers)
                return await handler(request)
            except Problem as problem:
                return problem.response()

        return guarded

    def _check_caller(self, headers: Mapping[str, str]) -> None:
        # The tenant has to be known before its tokens can be looked up, so 412 comes before 401 here;
        # the order, the 412 key (from the docs' schema example) and the 401/429 keys are unconfirmed.
        access = self.access
        if headers.get("wethod-company") != access.company_slug:
            raise Problem(412, "precondition_failure", "The Wethod-Company header is missing or unknown.")
        if headers.get("wethod-version") != access.version:
            raise Problem(412, "precondition_failure", "The Wethod-Version header is missing or unsupported.")
        if headers.get("authorization") != f"Bearer {access.token}":
            raise Problem(401, "unauthorized", "The API token is missing, invalid or expired.")
        allowed, _, reset_at = access.limiter.hit(access.token)
        if not allowed:
            wait = str(access.limiter.retry_after(reset_at))
            raise Problem(
                429,
                "too_many_requests",
                "Too many requests.",
                headers={"x-ratelimit-retry-after": wait},
            )

    def _require(self, permission: str) -> None:
        granted = self.access.permissions
        if granted is not None and permission not in granted:
            raise Problem(403, "forbidden", f"You need the {permission} permission to do this.")

    def _require_on(self, project: ProjectRow, family: str) -> None:
        """`<family>` on a project the caller is PM or Account of, `<family>_other` on any other."""
        own = self.access.me_id in (project.pm_id, project.account_id)
        self._require(family if own else f"{family}_other")

    def _require_planning(self, project: ProjectRow, day: date) -> None:
        self._require_on(project, "planning.modify")
        if day <= self.state.today():
            self._require("planning.modify_past")

    async def list_allocations(self, request: Request) -> Response:
        query = parse_list_query(request.query_params, ALLOCATION_FILTERS)
        return listed(query.page(self.state.allocations))

    async def create_allocation(self, request: Request) -> Response:
        reader = BodyReader(await _body(request))
        person_id, project_id = reader.integer("person_id"), reader.integer("project_id")
        day, hours = reader.day("date"), reader.integer("hours", 1, 8)
        reader.existing("person_id", person_id, self.state.persons)
        reader.existing("project_id", project_id, self.state.projects)
        reader.check()
        self._require_planning(self.state.projects[project_id], day)
        row = self.state.add_allocation(person_id, project_id, day, hours)
        return JSONResponse(row.to_json(), status_code=201)

    async def update_allocation(self, request: Request) -> Response:
        """Only `hours` can change (1 to 8); a deleted allocation is not found, as for a delete."""
        row = self.state.allocations.get(path_id(request))
        if row is None or row.deleted_at is not None:
            raise not_found("allocation")
        reader = BodyReader(await _body(request))
        hours = reader.integer("hours", 1, 8)
        reader.check()
        self._require_planning(self.state.projects[row.project_id], row.date)
        return JSONResponse(self.state.set_allocation_hours(row.id, hours).to_json())

    async def delete_allocation(self, request: Request) -> Response:
        row = self.state.allocations.get(path_id(request))
        if row is None or row.deleted_at is not None:
            raise not_found("allocation")
        self._require_planning(self.state.projects[row.project_id], row.date)
        self.state.delete_allocation(row.id)
        return JSONResponse({"message": "Allocation successfully deleted."})

    async def list_whitelists(self, request: Request) -> Response:
        query = parse_list_query(request.query_params, WHITELIST_FILTERS)
        return listed(query.page(self.state.whitelists))

    async def create_whitelist(self, request: Request) -> Response:
        reader = BodyReader(await _body(request))
        project_id, person_id = reader.integer("project_id"), reader.integer("person_id")
        reader.existing("project_id", project_id, self.state.projects)
        reader.existing("person_id", person_id, self.state.persons)
        reader.check()
        self._require_on(self.state.projects[project_id], "pipeline.edit")
        if self.state.whitelist_entry(project_id, person_id) is not None:
            raise Problem(
                409, "invalid_action", "The person is already in the timesheet whitelist of the project."
            )
        return JSONResponse(self.state.add_whitelist(project_id, person_id).to_json(), status_code=201)

    async def get_whitelist(self, request: Request) -> Response:
        row = self.state.whitelists.get(path_id(request))
        if row is None:
            raise not_found("timesheet whitelist")
        return JSONResponse(row.to_json())

    async def delete_whitelist(self, request: Request) -> Response:
        row = self.state.whitelists.get(path_id(request))
        if row is None:
            raise not_found("timesheet whitelist")
        self._require_on(self.state.projects[row.project_id], "pipeline.edit")
        del self.state.whitelists[row.id]
        return JSONResponse({"message": "Timesheet whitelist successfully deleted."})

    async def list_persons(self, request: Request) -> Response:
        self._require("settings.team")
        query = parse_list_query(request.query_params, PERSON_FILTERS)
        return listed(query.page(self.state.persons))

    async def get_me(self, _: Request) -> Response:
        return JSONResponse(self.state.persons[self.access.me_id].to_json())

    async def get_person(self, request: Request) -> Response:
        self._require("settings.team")
        row = self.state.persons.get(path_id(request))
        if row is None:
            raise not_found("person")
        return JSONResponse(row.to_json())

    async def list_projects(self, request: Request) -> Response:
        query = parse_list_query(request.query_params, PROJECT_FILTERS)
        return listed(query.page(self.state.projects))

    async def get_project(self, request: Request) -> Response:
        row = self.state.projects.get(path_id(request))
        if row is None or row.deleted_at is not None:
            raise not_found("project")
        return JSONResponse(row.to_json())


async def _body(request: Request) -> object:
    return await json_body(request, invalid([("body", "The request body is not valid JSON.")]))
