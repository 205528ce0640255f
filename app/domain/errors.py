"""The project's own errors, each with a message fit for the person who caused it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.status import RequestStatus


class StaffdeskError(Exception):
    """Base of every error the product knows how to explain."""


class IllegalTransition(StaffdeskError):
    """A state change that the request's life cycle does not allow."""

    def __init__(self, current: RequestStatus, target: RequestStatus) -> None:
        self.current = current
        self.target = target
        super().__init__(f"a request that is {current.label} cannot become {target.label}")


class RequestMovedOn(StaffdeskError):
    """A compare-and-set lost: someone else changed the request first."""

    def __init__(self, request_id: str, expected: RequestStatus, actual: RequestStatus | None) -> None:
        self.request_id = request_id
        self.expected = expected
        self.actual = actual
        now = "no longer exists" if actual is None else f"is now {actual.label}"
        super().__init__(f"request {request_id} has moved on: it was expected {expected.label} but {now}")


class RequestNotFound(StaffdeskError):
    """No request has this id."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"there is no request {request_id}")


class LeaseLost(StaffdeskError):
    """A delivery worker no longer holds the lease on the request it was delivering."""

    def __init__(self, request_id: str, worker: str) -> None:
        self.request_id = request_id
        self.worker = worker
        super().__init__(f"worker {worker} no longer holds the delivery lease on request {request_id}")


class UpstreamUnavailable(StaffdeskError):
    """An upstream could not be read just now; the message says why in plain words."""

    def __init__(self, upstream: str, reason: str) -> None:
        self.upstream = upstream
        self.reason = reason
        super().__init__(f"{upstream} could not be read: {reason}")
