"""The shared client plumbing: one status-to-error map, one secret scrubber, transport failures typed."""

from __future__ import annotations

import httpx
import pytest

from app.clients.errors import (
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
from app.clients.http import Problem, error_for_status, scrub, send, where

SECRET = "tok-5e8d1f"
BLANK = FieldError("name", "can't be blank")


def read_code_and_text(response: httpx.Response) -> Problem:
    """A reader for a `{code, text}` body whose 4xx names one blank field."""
    body = response.json()
    return Problem(body["text"], [BLANK], body["code"])


def answer(status: int, text: str = "refused", code: str = "E1", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"text": text, "code": code}, headers=headers)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, InvalidData),
        (422, InvalidData),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (412, PreconditionFailed),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (302, UpstreamError),
        (418, UpstreamError),
    ],
)
def test_each_status_family_becomes_its_typed_error_in_the_readers_words(
    status: int, kind: type[UpstreamError]
) -> None:
    error = error_for_status(answer(status), "Vendor", read_code_and_text)
    assert type(error) is kind
    assert (error.upstream, error.status, error.message, error.code) == ("Vendor", status, "refused", "E1")
    assert str(error) == f"Vendor answered {status}: refused"


def test_invalid_data_keeps_the_fields_the_reader_found() -> None:
    error = error_for_status(answer(400), "Vendor", read_code_and_text)
    assert isinstance(error, InvalidData)
    assert error.failures == [BLANK]


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (429, {"x-ratelimit-retry-after": "3"}, 3.0),
        (429, {}, None),
        (503, {"Retry-After": "30"}, 30.0),
        (503, {"x-ratelimit-retry-after": "3", "X-Rate-Limit-Reset": "9999999999"}, None),
    ],
    ids=["429-retry-after", "429-rate-header", "429-silent", "503-retry-after", "503-rate-headers-only"],
)
def test_the_wait_comes_from_rate_headers_for_a_429_and_from_retry_after_alone_for_a_5xx(
    status: int, headers: dict[str, str], wait: float | None
) -> None:
    error = error_for_status(answer(status, **headers), "Vendor", read_code_and_text)
    assert isinstance(error, RateLimited | ServerError)
    assert error.retry_after == wait


def test_a_500_may_have_applied_and_a_503_did_not() -> None:
    failed = error_for_status(answer(500), "Vendor", read_code_and_text)
    refused = error_for_status(answer(503), "Vendor", read_code_and_text)
    assert (failed.may_have_applied, refused.may_have_applied) == (True, False)
    assert (failed.retryable, refused.retryable) == (True, True)


def test_secrets_are_masked_in_the_message_the_fields_and_the_code() -> None:
    def echo(response: httpx.Response) -> Problem:
        return Problem(f"bad token {SECRET}", [FieldError("token", f"{SECRET} expired")], f"E-{SECRET}")

    error = error_for_status(httpx.Response(422), "Vendor", echo, ["", SECRET])
    assert isinstance(error, InvalidData)
    assert (error.message, error.code) == ("bad token ***", "E-***")
    assert error.failures == [FieldError("token", "*** expired")]
    assert SECRET not in str(error)


def test_the_longest_secret_is_masked_first_and_an_empty_one_is_ignored() -> None:
    assert scrub("abc-123 then abc", ["abc", "abc-123", ""]) == "*** then ***"
    assert scrub("nothing to hide", [""]) == "nothing to hide"


def test_a_call_is_named_by_method_and_path_without_query_or_secrets() -> None:
    assert where("GET", f"https://api.vendor.test/v1/people?token={SECRET}") == "GET /v1/people"
    assert where("POST", f"/v1/keys/{SECRET}", [SECRET]) == "POST /v1/keys/***"


async def test_a_transport_failure_is_typed_and_its_text_keeps_the_secret_out() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(ConnectionFailed) as raised:
            await send(client, "Vendor", "GET", f"https://api.vendor.test/keys/{SECRET}", secrets=[SECRET])
    assert str(raised.value) == "Vendor: could not connect for GET /keys/*** (ConnectError)"
