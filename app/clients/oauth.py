"""OAuth2 client credentials as an httpx.Auth: one cached token shared by every call, renewed in time."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from app.clients.errors import Unauthorized, UpstreamError
from app.clients.http import ReadProblem, error_for_status, json_or_none

RENEW_MARGIN = 60.0
RECENT_TOKENS = 16

TokenBody = Literal["form", "json"]


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    renew_at: float


class ClientCredentialsAuth(httpx.Auth):
    """`Authorization: Bearer <token>` and the upstream's `headers` on every call, for one client id.

    One token serves every call. Concurrent callers wait for the one fetch under way instead of starting
    their own (the lock is held while the token request is out). A call answered 401 fetches a new token,
    unless another call already has, and is sent once more; a second 401 is the caller's answer.

    Renewal: a token is renewed once less than `min(60 s, lifetime / 2)` of it is left, its lifetime
    being the answer's `expires_in` or else `default_lifetime`. The margin covers the time the token has
    already lost (its lifetime is counted from when the answer arrives, after the upstream started
    counting) and the time a call holding it may still take to reach the upstream (the pool, connect and
    write time-outs, twenty seconds by default). Sixty seconds covers both for the hours-long tokens the
    upstreams grant. For a short-lived token half its lifetime keeps most of that cover while each token
    still serves half its life, where a tenth would leave a thirty-second token three seconds: the margin
    is never smaller than under `min(60 s, lifetime / 10)`, and the two agree from ten minutes up.

    `headers` go with the token request too. The grant is sent as a form, or as JSON where the token
    endpoint asks for it. `read_refusal` reads the answer of a token endpoint that gives no token: a 429
    or 5xx becomes the error `error_for_status` gives it, any other refusal Unauthorized. `secrets` lists
    what no error text or log line may show.
    """

    def __init__(
        self,
        upstream: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        read_refusal: ReadProblem,
        default_lifetime: float,
        headers: Mapping[str, str] | None = None,
        body: TokenBody = "form",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upstream = upstream
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._read_refusal = read_refusal
        self._default_lifetime = default_lifetime
        self._headers = dict(headers or {})
        self._body = body
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: _Token | None = None
        self._issued: deque[str] = deque(maxlen=RECENT_TOKENS)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The client secret and the tokens issued lately (older ones have long expired)."""
        return (self._client_secret, *self._issued)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        refused: str | None = None
        for _ in range(2):
            async with self._lock:
                token = self._token
                if token is None or token.value == refused or self._clock() >= token.renew_at:
                    answer = yield self._token_request(request)
                    await answer.aread()
                    token = self._token = self._read_token(answer)
            request.headers.update(self._headers)
            request.headers["Authorization"] = f"Bearer {token.value}"
            response = yield request
            if response.status_code != 401:
                return
            refused = token.value

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ClientCredentialsAuth works with httpx.AsyncClient only")

    def _token_request(self, api_request: httpx.Request) -> httpx.Request:
        """The token request, with the time-outs of the call it serves."""
        grant = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        return httpx.Request(
            "POST",
            self._token_url,
            data=grant if self._body == "form" else None,
            json=grant if self._body == "json" else None,
            headers={**self._headers, "Accept": "application/json"},
            extensions={"timeout": api_request.extensions.get("timeout", {})},
        )

    def _read_token(self, answer: httpx.Response) -> _Token:
        body = json_or_none(answer)
        value = body.get("access_token") if answer.is_success and isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise self._refusal(answer)
        self._issued.append(value)
        lifetime = _lifetime(body.get("expires_in"), self._default_lifetime)
        return _Token(value, self._clock() + lifetime - min(RENEW_MARGIN, lifetime / 2))

    def _refusal(self, answer: httpx.Response) -> UpstreamError:
        """No token: trying again may help after a 429 or 5xx; any other refusal means these credentials
        get none."""
        if answer.is_success:
            status = answer.status_code
            return UpstreamError(self._upstream, "the token answer holds no access token", status=status)
        error = error_for_status(answer, self._upstream, self._read_refusal, self.secrets)
        if error.retryable:
            return error
        return Unauthorized(self._upstream, error.message, status=error.status, code=error.code)


def _lifetime(expires_in: object, default: float) -> float:
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
        return float(expires_in)
    return default
