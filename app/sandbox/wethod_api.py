"""The Wethod simulator's endpoints: headers, token, rate limit and permissions checked on every call."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.core import Handler, RateLimiter
from app.sandbox.wethod_query import (
    BodyReader,
    Parser,
    Problem,
    invalid,
    parse_day,
    parse_int,
    parse_list_query,
    parse_moment,
)
from app.sandbox.wethod_state import ProjectRow, WethodState

ALLOCATION_FILTERS: dict[str, Parser] = {
    "date": parse_day,
    "updated_at": parse_moment,
    "deleted_at": parse_moment,
    "person_id": parse_int,
    "project_id": parse_int,
}
WHITELIST_FILTERS: dict[str, Parser] = {
    "project_id": parse_int,
    "person_id": parse_int,
    "updated_at": parse_moment,
}
UPDATED_FILTERS: dict[str, Parser] = {"updated_at": parse_moment, "deleted_at": parse_moment}


@dataclass
class WethodAccess:
    """Who may call: the token, company and version expected, the token person's permissions."""

    token: str
    company_slug: str
    version: str
    me_id: int
    limiter: RateLimiter
    permissions: set[str] | None = None


def _not_found(what: str) -> Problem:
    return Problem(404, "not_found", f"The {what} you asked for does not exist.")


def _path_id(request: Request) -> int:
    raw = str(request.path_params["id"])
    if not raw.isdigit():
        raise _not_found("resource")
    return int(raw)


def _listed(rows: list[Any]) -> JSONResponse:
    return JSONResponse([row.to_json() for row in rows])


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise invalid([("body", "The request body is not valid JSON.")]) from None


class WethodApi:
    """Handlers over one WethodState; `routes()` wraps each with the checks every Wethod call gets."""

    def __init__(self, state: WethodState, access: WethodAccess) -> None:
        self.state = state
        self.access = access

    def routes(self) -> list[Route]:
        table: list[tuple[str, Handler, str]] = [
            ("/api/people-allocations", self.list_allocations, "GET"),
            ("/api/people-allocations", self.create_allocation, "POST"),
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
            wait = str(max(1, math.ceil(reset_at - access.limiter.clock())))
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
        return _listed(query.select(self.state.allocations.values()))

    async def create_allocation(self, request: Request) -> Response:
        reader = BodyReader(await _json_body(request))
        person_id, project_id = reader.integer("person_id"), reader.integer("project_id")
        day, hours = reader.day("date"), reader.integer("hours", 1, 8)
        reader.existing("person_id", person_id, self.state.persons)
        reader.existing("project_id", project_id, self.state.projects)
        reader.check()
        self._require_planning(self.state.projects[project_id], day)
        row = self.state.add_allocation(person_id, project_id, day, hours)
        return JSONResponse(row.to_json(), status_code=201)

    async def delete_allocation(self, request: Request) -> Response:
        row = self.state.allocations.get(_path_id(request))
        if row is None or row.deleted_at is not None:
            raise _not_found("allocation")
        self._require_planning(self.state.projects[row.project_id], row.date)
        self.state.delete_allocation(row.id)
        return JSONResponse({"message": "Allocation successfully deleted."})

    async def list_whitelists(self, request: Request) -> Response:
        query = parse_list_query(request.query_params, WHITELIST_FILTERS)
        return _listed(query.select(self.state.whitelists.values()))

    async def create_whitelist(self, request: Request) -> Response:
        reader = BodyReader(await _json_body(request))
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
        row = self.state.whitelists.get(_path_id(request))
        if row is None:
            raise _not_found("timesheet whitelist")
        return JSONResponse(row.to_json())

    async def delete_whitelist(self, request: Request) -> Response:
        row = self.state.whitelists.get(_path_id(request))
        if row is None:
            raise _not_found("timesheet whitelist")
        self._require_on(self.state.projects[row.project_id], "pipeline.edit")
        del self.state.whitelists[row.id]
        return JSONResponse({"message": "Timesheet whitelist successfully deleted."})

    async def list_persons(self, request: Request) -> Response:
        self._require("settings.team")
        query = parse_list_query(request.query_params, {"updated_at": parse_moment})
        return _listed(query.select(self.state.persons.values()))

    async def get_me(self, _: Request) -> Response:
        return JSONResponse(self.state.persons[self.access.me_id].to_json())

    async def get_person(self, request: Request) -> Response:
        self._require("settings.team")
        row = self.state.persons.get(_path_id(request))
        if row is None:
            raise _not_found("person")
        return JSONResponse(row.to_json())

    async def list_projects(self, request: Request) -> Response:
        query = parse_list_query(request.query_params, UPDATED_FILTERS)
        return _listed(query.select(self.state.projects.values()))

    async def get_project(self, request: Request) -> Response:
        row = self.state.projects.get(_path_id(request))
        if row is None or row.deleted_at is not None:
            raise _not_found("project")
        return JSONResponse(row.to_json())
