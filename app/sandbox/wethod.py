"""A local Wethod that enforces the documented contract: headers, token, validation, paging, 409/412/429."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.core import Fault, RateLimiter, SandboxControl, Simulator, sandbox_app
from app.sandbox.demo import DemoCompany, demo_company
from app.sandbox.wethod_api import WethodAccess, WethodApi
from app.sandbox.wethod_query import Problem
from app.sandbox.wethod_state import WethodState

WETHOD_SANDBOX_NAME = "Wethod"
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


def _seconds(value: float) -> str:
    return f"{value:g}"


def wethod_error_body(status: int, fault: Fault) -> Response:
    """An injected fault as Wethod would answer it, with its wait header when the fault gives one."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    key = _FAULT_KEYS.get(status, "server_error" if status >= 500 else "error")
    headers: dict[str, str] = {}
    if fault.retry_after is not None and status == 429:
        headers["x-ratelimit-retry-after"] = _seconds(fault.retry_after)
    if fault.retry_after is not None and status == 503:
        headers["Retry-After"] = _seconds(fault.retry_after)
    failures: list[tuple[str, str]] | None = [] if status == 400 else None
    return Problem(status, key, phrase, failures=failures, headers=headers).response()


async def _no_route(_: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    key = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
    return Problem(status, key, HTTPStatus(status).phrase).response()


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
    control = SandboxControl()

    def reset() -> None:
        state.reseed()
        access.limiter = RateLimiter(rate_limit, RATE_LIMIT_WINDOW_SECONDS)

    app: Starlette = sandbox_app(WethodApi(state, access).routes(), control, wethod_error_body, reset)
    app.add_exception_handler(HTTPException, _no_route)
    return WethodSimulator(WETHOD_SANDBOX_NAME, app, control, state, access)
