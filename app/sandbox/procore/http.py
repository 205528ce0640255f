"""Request rules of the Procore simulator: error bodies, paging, token forms, body validation, views."""

from __future__ import annotations

import json
import math
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.sandbox.procore.state import Record

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
VIEWS = ("normal", "extended", "web")
_TEXT_FIELDS = ("first_name", "job_title", "employee_id", "origin_id")
_MAX_TEXT = 255


def errors_response(status: int, errors: Any, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)


def not_connected(company_id: object) -> Response:
    """Another company's id: the app is installed in the sandbox company only."""
    return errors_response(403, f"App is not connected to company {company_id}.")


def project_not_found(project_id: int) -> Response:
    return errors_response(404, f"Couldn't find Project with 'id'={project_id}")


def _positive(request: Request, name: str, default: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def paged(request: Request, items: list[Record]) -> Response:
    """One page of `items`, with `Total`, `Per-Page` and `Link` (first/prev/next/last where they exist)."""
    page = _positive(request, "page", 1)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE)
    if page is None or per_page is None:
        return errors_response(400, {"page": ["page and per_page must be positive whole numbers"]})
    per_page = min(per_page, MAX_PER_PAGE)
    last = max(1, math.ceil(len(items) / per_page))
    rels = [("first", 1), ("prev", min(page - 1, last))] if page > 1 else []
    rels += [("next", page + 1), ("last", last)] if page < last else []
    links = [f'<{request.url.include_query_params(page=p, per_page=per_page)}>; rel="{r}"' for r, p in rels]
    headers = {"Total": str(len(items)), "Per-Page": str(per_page)}
    if links:
        headers["Link"] = ", ".join(links)
    return JSONResponse(items[(page - 1) * per_page : page * per_page], headers=headers)


async def read_form(request: Request) -> dict[str, str]:
    """Token request fields, sent url-encoded, as multipart form data (`curl -F`) or as JSON."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        fields: dict[str, str] = {}
        for part in message.walk():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload.decode()
        return fields
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(body.decode(errors="replace")))


def person_failures(person: dict[str, Any]) -> dict[str, list[str]]:
    failures: dict[str, list[str]] = {}
    last_name = person.get("last_name")
    if not isinstance(last_name, str) or not last_name.strip():
        failures["last_name"] = ["can't be blank"]
    for name in ("last_name", *_TEXT_FIELDS):
        value = person.get(name)
        if value is not None and not isinstance(value, str):
            failures.setdefault(name, []).append("is invalid")
        elif isinstance(value, str) and len(value) > _MAX_TEXT:
            failures.setdefault(name, []).append(f"is too long (maximum is {_MAX_TEXT} characters)")
    if not isinstance(person.get("is_employee", False), bool | None):
        failures["is_employee"] = ["is invalid"]
    wc_id = person.get("work_classification_id")
    if wc_id is not None and (isinstance(wc_id, bool) or not isinstance(wc_id, int)):
        failures["work_classification_id"] = ["is invalid"]
    return failures


def view_of(request: Request) -> str:
    """The documented rule: a missing or unknown `view` falls back to `normal`."""
    view = request.query_params.get("view", "normal")
    return view if view in VIEWS else "normal"
