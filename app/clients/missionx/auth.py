"""MissionX OAuth2 client credentials as an httpx.Auth: one cached token, refetched once on a 401."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import httpx

from app.clients.errors import RateLimited, ServerError, Unauthorized, UpstreamError
from app.clients.http import json_or_none
from app.clients.retry import retry_after_seconds

UPSTREAM = "MissionX"
DOCUMENTED_LIFETIME = 14400.0
RENEW_MARGIN = 60.0
MASK = "***"


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float


class MissionXAuth(httpx.Auth):
    """Sends `Authorization: Bearer` and `Org-Id`; concurrent callers share one token fetch."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        org_id: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._org_id = org_id
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: _Token | None = None
        self._spent: set[str] = set()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        refused: str | None = None
        for _ in range(2):
            async with self._lock:
                if self._needs_token(refused):
                    answer = yield self._token_request(request)
                    await answer.aread()
                    self._token = self._read_token(answer)
                assert self._token is not None
                token = self._token.value
            request.headers["Authorization"] = f"Bearer {token}"
            request.headers["Org-Id"] = self._org_id
            response = yield request
            if response.status_code != 401:
                return
            refused = token

    def scrub(self, text: str) -> str:
        """`text` with the client secret and every access token seen masked."""
        for secret in (self._client_secret, *self._spent):
            if secret:
                text = text.replace(secret, MASK)
        return text

    def _needs_token(self, refused: str | None) -> bool:
        token = self._token
        return token is None or token.value == refused or self._clock() >= token.renew_at

    def _token_request(self, api_request: httpx.Request) -> httpx.Request:
        """The token request, with the time-outs of the API request it serves."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        return httpx.Request(
            "POST",
            self._token_url,
            data=form,
            headers={"Org-Id": self._org_id, "Accept": "application/json"},
            extensions={"timeout": api_request.extensions.get("timeout", {})},
        )

    def _read_token(self, response: httpx.Response) -> _Token:
        body = json_or_none(response)
        if response.is_success and isinstance(body, dict) and isinstance(body.get("access_token"), str):
            value: str = body["access_token"]
            self._spent.add(value)
            lifetime = _lifetime(body.get("expires_in"))
            return _Token(value, self._clock() + lifetime - min(RENEW_MARGIN, lifetime / 2))
        raise self._token_error(response, body)

    def _token_error(self, response: httpx.Response, body: object) -> UpstreamError:
        status = response.status_code
        detail = _detail(body) or response.reason_phrase or "no detail"
        message = self.scrub(f"the token request was refused: {detail}")
        if status == 429:
            return RateLimited(UPSTREAM, message, retry_after=retry_after_seconds(response.headers))
        if status >= 500:
            return ServerError(
                UPSTREAM, message, status=status, retry_after=retry_after_seconds(response.headers)
            )
        if response.is_success:
            return UpstreamError(UPSTREAM, "the token answer holds no access token", status=status)
        # 400 (no Org-Id, bad grant), 401 and 403 all mean these credentials get no token.
        return Unauthorized(UPSTREAM, message, status=status)


def _lifetime(expires_in: object) -> float:
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
        return float(expires_in)
    return DOCUMENTED_LIFETIME


def _detail(body: object) -> str | None:
    """The reason in a token error: the documented `message`, or OAuth2's `error_description`/`error`."""
    if not isinstance(body, dict):
        return None
    for key in ("message", "error_description", "error"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None
