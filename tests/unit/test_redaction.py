"""Log lines never carry a token or a secret."""

from __future__ import annotations

import logging

import pytest

from app.observability import RedactingFormatter, mask_url, redact

SECRETS = [
    ("posting with xoxb-1234567890-0987654321-AbCdEfGhIjKl", "xoxb-1234567890-0987654321-AbCdEfGhIjKl"),
    ("socket xapp-1-A0123456789-1234567890-abcdef", "xapp-1-A0123456789-1234567890-abcdef"),
    ("Authorization: Bearer eyJhbGciOi.J9.abc", "eyJhbGciOi.J9.abc"),
    ("grant_type=client_credentials&client_secret=s3cr3t&client_id=x", "s3cr3t"),
    ('{"access_token": "tok-123", "expires_in": 5400}', "tok-123"),
    ("connecting to postgresql://staff:hunter2@db:5432/staffdesk", "hunter2"),
]


@pytest.mark.parametrize(("line", "secret"), SECRETS)
def test_redact_masks_the_secret_and_keeps_the_rest(line: str, secret: str) -> None:
    masked = redact(line)
    assert secret not in masked
    assert "***" in masked


def test_the_formatter_redacts_arguments_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError("refused xoxb-111-222-secretvalue")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "token %s", ("xoxb-999-888-other",), sys.exc_info()
        )
    text = formatter.format(record)
    assert "secretvalue" not in text
    assert "xoxb-999-888-other" not in text
    assert "ValueError" in text


MASKED_URLS = [
    ("postgresql+psycopg2://staff:S3cr3t@db/x", "postgresql+psycopg2://staff:***@db/x"),
    ("postgresql+asyncpg://staff:S3cr3t@db:5432/x", "postgresql+asyncpg://staff:***@db:5432/x"),
    ("mysql://staff:S3cr3t@db/staffdesk", "mysql://staff:***@db/staffdesk"),
    ("sqlite://staff:S3cr3t@/staffdesk.db", "sqlite://staff:***@/staffdesk.db"),
    ("https://staff:S3cr3t@api.wethod.com/v1", "https://staff:***@api.wethod.com/v1"),
    ("http://staff:S3cr3t@127.0.0.1:8101", "http://staff:***@127.0.0.1:8101"),
    ("redis://:S3cr3t@cache:6379/0", "redis://:***@cache:6379/0"),
    ("gopher+x.y-z://staff:S3cr3t@host/x", "gopher+x.y-z://staff:***@host/x"),
    ("postgresql://staff:S3cr3t@db:notaport/x", "postgresql://staff:***@db:notaport/x"),
    ("staff:S3cr3t@db/x", "staff:***@db/x"),
    ("postgresql:staff:S3cr3t@db/x", "postgresql:***@db/x"),
    ("postgresql://staff:S3@cr3t@db/x", "postgresql://staff:***@db/x"),
    ("postgresql://staff:S3:cr3t@db/x", "postgresql://staff:***@db/x"),
    ("postgresql://staff:S3/cr3t@db/x", "postgresql://staff:***@db/x"),
    ("postgresql://staff:S3%40cr%2F3t@db/x", "postgresql://staff:***@db/x"),
    ("postgresql://me@corp.example:S3cr3t@db/x", "postgresql://me@corp.example:***@db/x"),
    ("postgresql://db/x?user=staff&password=S3cr3t&ssl=1", "postgresql://db/x?user=staff&password=***&ssl=1"),
    ("https://api.example.com/v1?api_key=S3cr3t", "https://api.example.com/v1?api_key=***"),
]


@pytest.mark.parametrize(("url", "masked"), MASKED_URLS)
def test_a_url_is_shown_with_its_password_masked_whatever_its_scheme(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert "S3cr3t" not in mask_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///staffdesk.db",
        "sqlite://",
        "sqlite+aiosqlite:////var/lib/staffdesk/staffdesk.db",
        "postgresql://staff@db:5432/staffdesk",
        "https://slack.com/api/",
        "http://127.0.0.1:8101",
        "https://api.example.com/people?email=ana",
        "not a URL at all",
    ],
)
def test_a_url_without_a_password_is_shown_as_it_is(url: str) -> None:
    assert mask_url(url) == url


@pytest.mark.parametrize(("url", "masked"), MASKED_URLS[:9])
def test_log_lines_mask_urls_the_same_way(url: str, masked: str) -> None:
    assert redact(f"connecting to {url} (attempt 2)") == f"connecting to {masked} (attempt 2)"


def test_a_password_holding_an_at_sign_is_masked_whole_in_a_log_line() -> None:
    line = redact("could not connect to postgresql://staff:p@ss/w:rd@db:5432/staffdesk, retrying")
    assert line == "could not connect to postgresql://staff:***@db:5432/staffdesk, retrying"
