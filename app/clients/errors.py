"""Typed errors of every upstream client.

    UpstreamError
    ├── ConnectionFailed      the request never reached the upstream (refused, DNS, connect time-out)
    ├── AnswerLost            sent, but no answer came back (read/write time-out, dropped connection)
    ├── InvalidData           400/422: the upstream refused the data; `failures` says which fields
    ├── Unauthorized          401: the credentials were refused
    ├── Forbidden             403: the credentials lack a permission
    ├── NotFound              404
    ├── Conflict              409: it already exists (a whitelist entry, say)
    ├── PreconditionFailed    412: a required header (Wethod-Company, Wethod-Version) is missing or wrong
    ├── RateLimited           429: `retry_after` seconds, when the upstream said
    └── ServerError           5xx: `retry_after` when the upstream said (503)

`retryable` says whether trying again may help; `may_have_applied` whether a create may have taken effect
although it failed, so that it must be looked for before it is sent again. No message carries a credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class UpstreamError(Exception):
    retryable: ClassVar[bool] = False

    def __init__(
        self, upstream: str, message: str, *, status: int | None = None, code: str | None = None
    ) -> None:
        self.upstream = upstream
        self.message = message
        self.status = status
        self.code = code
        prefix = f"{upstream} answered {status}" if status else upstream
        super().__init__(f"{prefix}: {message}")

    @property
    def may_have_applied(self) -> bool:
        return False


class ConnectionFailed(UpstreamError):
    retryable = True


class AnswerLost(UpstreamError):
    retryable = True

    @property
    def may_have_applied(self) -> bool:
        return True


class InvalidData(UpstreamError):
    def __init__(
        self,
        upstream: str,
        message: str,
        failures: list[FieldError],
        *,
        status: int = 400,
        code: str | None = None,
    ) -> None:
        super().__init__(upstream, message, status=status, code=code)
        self.failures = failures


class Unauthorized(UpstreamError):
    pass


class Forbidden(UpstreamError):
    pass


class NotFound(UpstreamError):
    pass


class Conflict(UpstreamError):
    pass


class PreconditionFailed(UpstreamError):
    pass


class RateLimited(UpstreamError):
    retryable = True

    def __init__(self, upstream: str, message: str, *, retry_after: float | None, code: str | None = None):
        super().__init__(upstream, message, status=429, code=code)
        self.retry_after = retry_after


class ServerError(UpstreamError):
    retryable = True

    def __init__(
        self,
        upstream: str,
        message: str,
        *,
        status: int,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(upstream, message, status=status, code=code)
        self.retry_after = retry_after

    @property
    def may_have_applied(self) -> bool:
        # 503 means the upstream turned the request away; 500, 502 and 504 may hide a committed write.
        return self.status != 503
