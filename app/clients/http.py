"""What every client shares: explicit time-outs, and transport failures turned into typed errors."""

from __future__ import annotations

from typing import Any

import httpx

from app.clients.errors import AnswerLost, ConnectionFailed


def timeout_waiting(answer_seconds: float) -> httpx.Timeout:
    """Explicit time-outs for every phase, with `answer_seconds` as the wait for an answer."""
    return httpx.Timeout(connect=5.0, read=answer_seconds, write=10.0, pool=5.0)


DEFAULT_TIMEOUT = timeout_waiting(20.0)


async def send(
    client: httpx.AsyncClient, upstream: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """Send one request; a transport failure becomes ConnectionFailed (never sent) or AnswerLost (sent).

    Error texts name the method and path only: never headers, query values or bodies, which may hold
    credentials.
    """
    try:
        return await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectionFailed(
            upstream, f"could not connect for {method} {_path(url)} ({type(exc).__name__})"
        ) from None
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise AnswerLost(
            upstream, f"no answer in time to {method} {_path(url)} ({type(exc).__name__})"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise AnswerLost(
            upstream, f"connection dropped during {method} {_path(url)} ({type(exc).__name__})"
        ) from None


def _path(url: str) -> str:
    return httpx.URL(url).path


def json_or_none(response: httpx.Response) -> Any:
    """The body as JSON, or None when it is not JSON (a plain-text 429, an HTML error page)."""
    try:
        return response.json()
    except ValueError:
        return None
