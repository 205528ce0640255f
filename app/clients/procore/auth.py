"""OAuth2 client-credentials auth for Procore: one cached token, shared by concurrent calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass, field

import httpx

RENEW_EARLY_SECONDS = 60.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_in: float


@dataclass(frozen=True)
class _Held:
    token: AccessToken
    renew_at: float


class ProcoreAuth(httpx.Auth):
    """Adds `Authorization: Bearer ...` to each call; fetches a token when there is none or it is about
    to expire, and once more when the API answers 401 (a revoked or expired token)."""

    def __init__(
        self, fetch: Callable[[], Awaitable[AccessToken]], *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self._held: _Held | None = None
        self._issued: list[str] = []

    @property
    def issued(self) -> tuple[str, ...]:
        """Every token fetched so far, so that error texts can be kept free of them."""
        return tuple(self._issued)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._token()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code == 401:
            token = await self._token(refused=token)
            request.headers["Authorization"] = f"Bearer {token.value}"
            yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ProcoreAuth works with httpx.AsyncClient only")

    async def _token(self, *, refused: AccessToken | None = None) -> AccessToken:
        async with self._lock:
            held = self._held
            if held is None or held.token is refused or self._clock() >= held.renew_at:
                token = await self._fetch()
                self._issued.append(token.value)
                early = min(RENEW_EARLY_SECONDS, token.expires_in / 10)
                held = self._held = _Held(token, self._clock() + token.expires_in - early)
            return held.token
