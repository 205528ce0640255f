"""What every client shares: explicit time-outs, typed errors for failures and statuses, secrets kept out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from app.clients.errors import (
    AnswerLost,
    Conflict,
    ConnectionFailed,
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
from app.clients.retry import retry_after_seconds

MASK = "***"

_BY_STATUS: Mapping[int, type[UpstreamError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
}


def timeout_waiting(answer_seconds: float) -> httpx.Timeout:
    """Explicit time-outs for every phase, with `answer_seconds` as the wait for an answer."""
    return httpx.Timeout(connect=5.0, read=answer_seconds, write=10.0, pool=5.0)


DEFAULT_TIMEOUT = timeout_waiting(20.0)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret masked, the longest first so that no part of one is left showing."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def where(method: str, url: httpx.URL | str, secrets: Iterable[str] = ()) -> str:
    """`METHOD /path` for an error text or a log line: never the query, headers or body."""
    return scrub(f"{method} {httpx.URL(url).path}", secrets)


async def send(
    client: httpx.AsyncClient,
    upstream: str,
    method: str,
    url: str,
    *,
    secrets: Iterable[str] = (),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; a transport failure becomes ConnectionFailed (never sent) or AnswerLost (sent).

    Error texts name the method and path only, with `secrets` masked.
    """
    try:
        return await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectionFailed(
            upstream, f"could not connect for {where(method, url, secrets)} ({type(exc).__name__})"
        ) from None
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise AnswerLost(
            upstream, f"no answer in time to {where(method, url, secrets)} ({type(exc).__name__})"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise AnswerLost(
            upstream, f"connection dropped during {where(method, url, secrets)} ({type(exc).__name__})"
        ) from None


def json_or_none(response: httpx.Response) -> Any:
    """The body as JSON, or None when it is not JSON (a plain-text 429, an HTML error page)."""
    try:
        return response.json()
    except ValueError:
        return None


@dataclass(frozen=True)
class Problem:
    """What an error answer says, read the way its upstream writes it."""

    message: str
    failures: Sequence[FieldError] = ()
    code: str | None = None


ReadProblem = Callable[[httpx.Response], Problem]


def error_for_status(
    response: httpx.Response, upstream: str, read: ReadProblem, secrets: Iterable[str] = ()
) -> UpstreamError:
    """The typed error of errors.py for an answer that is not the one wanted, in `read`'s words.

    400 and 422 give InvalidData, 401, 403, 404, 409 and 412 their own error, 429 RateLimited and 5xx
    ServerError, each with the wait the upstream asked for; any other status a plain UpstreamError.
    Every secret in `secrets` is masked in the message, the field messages and the code.
    """
    status = response.status_code
    problem = _scrubbed(read(response), tuple(secrets))
    message, code = problem.message, problem.code
    if status in (400, 422):
        return InvalidData(upstream, message, list(problem.failures), status=status, code=code)
    if status == 429:
        return RateLimited(upstream, message, retry_after=retry_after_seconds(response.headers), code=code)
    if status >= 500:
        wait = _server_wait(response.headers)
        return ServerError(upstream, message, status=status, retry_after=wait, code=code)
    return _BY_STATUS.get(status, UpstreamError)(upstream, message, status=status, code=code)


def _scrubbed(problem: Problem, secrets: tuple[str, ...]) -> Problem:
    return Problem(
        scrub(problem.message, secrets),
        [FieldError(f.field, scrub(f.message, secrets)) for f in problem.failures],
        None if problem.code is None else scrub(problem.code, secrets),
    )


def _server_wait(headers: httpx.Headers) -> float | None:
    """A 5xx's wait comes from `Retry-After` alone: rate-limit headers (Procore sends its reset time on
    every answer) speak of the rate window, not of the failure."""
    return retry_after_seconds({k: v for k, v in headers.items() if k.lower() == "retry-after"})


class HttpClient:
    """What every upstream client shares: one httpx.AsyncClient, closed with the client."""

    _http: httpx.AsyncClient

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
