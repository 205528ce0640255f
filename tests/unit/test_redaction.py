"""Log lines never carry a token or a secret."""

from __future__ import annotations

import logging

import pytest

from app.observability import RedactingFormatter, redact

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
