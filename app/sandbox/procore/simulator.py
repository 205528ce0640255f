"""A local Procore REST v1.0: client-credentials tokens, company scoping, paging, two rate windows."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app.sandbox.core import (
    Fault,
    Handler,
    Simulator,
    bearer_token,
    simulator_app,
    status_phrase,
)
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.procore.http import (
    errors_response,
    not_connected,
    paged,
    person_failures,
    project_not_found,
    read_form,
    view_of,
)
from app.sandbox.procore.limits import RateWindows, Report
from app.sandbox.procore.state import (
    PROCORE_SANDBOX_CLIENT_ID,
    PROCORE_SANDBOX_CLIENT_SECRET,
    PROCORE_SANDBOX_COMPANY_ID,
    ProcoreState,
)

RATE_LIMIT_TEXT = (
    "You have surpassed the max number of requests for an hour. Please wait until your limit resets."
)
PROJECT_STATUSES = {"all": None, "active": True, "inactive": False}


@dataclass
class ProcoreSimulator(Simulator):
    """The simulator, its company's data (`state`) and the credentials it accepts."""

    state: ProcoreState
    client_id: str
    client_secret: str
    company_id: int

    def settings_for(self, base_url: str) -> dict[str, str]:
        return {
            "PROCORE_BASE_URL": base_url,
            "PROCORE_TOKEN_URL": f"{base_url}/oauth/token",
            "PROCORE_CLIENT_ID": self.client_id,
            "PROCORE_CLIENT_SECRET": self.client_secret,
            "PROCORE_COMPANY_ID": str(self.company_id),
        }


def build_procore_simulator(
    company: DemoCompany | None = None,
    *,
    client_id: str = PROCORE_SANDBOX_CLIENT_ID,
    client_secret: str = PROCORE_SANDBOX_CLIENT_SECRET,
    company_id: int = PROCORE_SANDBOX_COMPANY_ID,
    token_lifetime_seconds: int = 5400,
    hourly_limit: int | None = None,
    spike_limit: int | None = None,
    clock: Callable[[], float] = time.time,
) -> ProcoreSimulator:
    """A Procore company seeded from the demo company; `clock` drives token expiry and rate windows.

    `hourly_limit` and `spike_limit` are the calls allowed per hour and per 10 seconds; None, no limit.
    """
    state = ProcoreState(company or demo_company(), company_id, clock)
    limits = RateWindows(hourly_limit, spike_limit, clock)
    api = ProcoreApi(state, client_id, client_secret, token_lifetime_seconds, limits)
    app, control = simulator_app(api)
    return ProcoreSimulator("procore", app, control, state, client_id, client_secret, company_id)


class ProcoreApi:
    """The routes and the rules they enforce, over one ProcoreState."""

    def __init__(
        self, state: ProcoreState, client_id: str, client_secret: str, lifetime: int, limits: RateWindows
    ) -> None:
        self.state = state
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self.limits = limits

    def routes(self) -> list[Route]:
        people = "/rest/v1.0/projects/{project_id:int}/people"
        company = "/rest/v1.0/companies/{company_id:int}"
        api: list[tuple[str, str, Handler]] = [
            ("GET", "/rest/v1.0/projects", self.list_projects),
            ("GET", people, self.list_people),
            ("POST", people, self.add_person),
            ("GET", f"{company}/users", self.list_users),
            ("GET", f"{company}/work_classifications", self.list_work_classifications),
        ]
        guarded = [Route(path, self._guarded(handler), methods=[method]) for method, path, handler in api]
        return [Route("/oauth/token", self.issue_token, methods=["POST"]), *guarded]

    def reset(self) -> None:
        self.state.reseed()
        self.limits.clear()

    def error_body(self, status: int, fault: Fault) -> Response:
        """An injected failure as Procore would send it: a plain-text 429 with `Retry-After` (the fault's
        wait, else the rest of the reported window), JSON `errors` otherwise; rate headers on every one."""
        report = self.limits.peek(str(self.state.company_id))
        headers = report.headers()
        if status == 429:
            now = self.state.clock()
            wait = report.retry_after(now) if fault.retry_after is None else fault.retry_after
            report = Report(False, report.limit, 0, now + wait)
            headers = {**report.headers(), "Retry-After": str(report.retry_after(now))}
            return PlainTextResponse(RATE_LIMIT_TEXT, status_code=429, headers=headers)
        if status == 503:
            headers.update(fault.retry_after_header())
        return errors_response(status, status_phrase(status), headers)

    async def issue_token(self, request: Request) -> Response:
        fields = await read_form(request)
        grant = fields.get("grant_type")
        if grant != "client_credentials":
            error = "invalid_request" if grant is None else "unsupported_grant_type"
            text = "Only the client_credentials grant is available in the sandbox."
            return JSONResponse({"error": error, "error_description": text}, status_code=400)
        known = hmac.compare_digest(fields.get("client_id", ""), self.client_id) and hmac.compare_digest(
            fields.get("client_secret", ""), self.client_secret
        )
        if not known:
            text = "The client id or client secret is not valid."
            return JSONResponse({"error": "invalid_client", "error_description": text}, status_code=401)
        return JSONResponse(self.state.issue_token(self.lifetime))

    def _guarded(self, handler: Handler) -> Handler:
        """Rate windows, bearer token and `Procore-Company-Id`, then the handler; rate headers on all.

        Every call counts, refused ones too; a call over either window gets a plain-text 429 with
        `Retry-After`, the seconds until that window resets.
        """

        async def endpoint(request: Request) -> Response:
            header = request.headers.get("procore-company-id", "")
            bearer = request.headers.get("authorization", "")
            report = self.limits.hit(header or bearer)
            if not report.allowed:
                retry_after = {"Retry-After": str(report.retry_after(self.state.clock()))}
                response: Response = PlainTextResponse(RATE_LIMIT_TEXT, status_code=429, headers=retry_after)
            else:
                response = self._refusal(bearer, header) or await handler(request)
            response.headers.update(report.headers())
            return response

        return endpoint

    def _refusal(self, bearer: str, company_header: str) -> Response | None:
        if not self.state.token_valid(bearer_token(bearer)):
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return errors_response(401, "The access token is invalid", challenge)
        # A missing header surfaces as 404 (ruby-sdk issue #40); another company's id as 403, the
        # documented "App is not connected to this company".
        if not company_header.isdigit():
            return errors_response(404, "Missing Procore-Company-Id header! Send it on every request.")
        if int(company_header) != self.state.company_id:
            return not_connected(company_header)
        return None

    async def list_projects(self, request: Request) -> Response:
        company = request.query_params.get("company_id", "")
        if not company.isdigit():
            return errors_response(400, {"company_id": ["is missing"]})
        if int(company) != self.state.company_id:
            return not_connected(company)
        status = request.query_params.get("filters[by_status]", "Active").lower()
        if status not in PROJECT_STATUSES:
            return errors_response(400, {"filters[by_status]": ["must be one of Active, Inactive, or All"]})
        wanted = PROJECT_STATUSES[status]
        return paged(request, [p for p in self.state.projects if wanted in (None, p["active"])])

    async def list_people(self, request: Request) -> Response:
        project_id: int = request.path_params["project_id"]
        if self.state.project(project_id) is None:
            return project_not_found(project_id)
        view = view_of(request)
        return paged(request, [self.state.render_person(p, view) for p in self.state.people[project_id]])

    async def add_person(self, request: Request) -> Response:
        project_id: int = request.path_params["project_id"]
        if self.state.project(project_id) is None:
            return project_not_found(project_id)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return errors_response(400, "The request body is not valid JSON.")
        person = body.get("person") if isinstance(body, dict) else None
        if not isinstance(person, dict):
            return errors_response(400, "param is missing or the value is empty: person")
        failures = person_failures(person)
        if failures:
            return errors_response(400, failures)
        wc_id = person.get("work_classification_id")
        if wc_id is not None and self.state.work_classification(wc_id) is None:
            return errors_response(422, {"work_classification_id": ["does not exist"]})
        record = self.state.add_person(project_id, person)
        return JSONResponse(self.state.render_person(record, view_of(request)), status_code=201)

    async def list_users(self, request: Request) -> Response:
        return self._for_company(request) or paged(request, self.state.users)

    async def list_work_classifications(self, request: Request) -> Response:
        # Not paginated: the whole list, without paging headers.
        return self._for_company(request) or JSONResponse(self.state.work_classifications)

    def _for_company(self, request: Request) -> Response | None:
        company_id: int = request.path_params["company_id"]
        if company_id != self.state.company_id:
            return not_connected(company_id)
        return None
