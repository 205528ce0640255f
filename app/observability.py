"""Logging that never shows a secret, and the Prometheus metrics."""

from __future__ import annotations

import logging
import re
import sys

from prometheus_client import Counter, Gauge

_SECRET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"xox[abposr]-[A-Za-z0-9-]+"), "xox*-***"),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-***"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (
        re.compile(r"(?i)\b((?:client_secret|access_token|password|token)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',]+"),
        r"\1***",
    ),
]
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_SECRET_PARAMETER = re.compile(r"(?i)([?&;][^=&#;]*(?:password|passwd|pwd|secret|token|key)[^=&#;]*=)[^&#;]*")


def mask_url(url: str) -> str:
    """`url` with its password and any secret-named query parameter shown as `***`, whatever the scheme.

    The text need not parse: everything between the first `:` after the scheme (or from the start, when
    there is none) and the last `@` counts as the password, so that one holding `@`, `:` or `/` is
    masked whole. When in doubt, more is masked rather than less."""
    scheme = _SCHEME.match(url)
    start = scheme.end() if scheme else 0
    at = url.rfind("@")
    colon = url.find(":", start, at) if at > start else -1
    if colon != -1:
        url = f"{url[: colon + 1]}***{url[at:]}"
    return _SECRET_PARAMETER.sub(r"\1***", url)


def redact(text: str) -> str:
    """Mask anything that looks like a token, a secret or a password in a URL."""
    text = _URL_IN_TEXT.sub(lambda found: mask_url(found.group()), text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


QUIET_COMMANDS = frozenset({"check"})


def log_level_for(command: str) -> str:
    """INFO for the commands that run the app; WARNING for those whose printed lines are the answer."""
    return "WARNING" if command in QUIET_COMMANDS else "INFO"


def configure_logging(level: str = "INFO") -> None:
    """Every log line to standard error, secrets masked; below `level` nothing is shown."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


DELIVERY_ATTEMPTS = Counter("staffdesk_delivery_attempts_total", "Delivery attempts by outcome.", ["outcome"])
DELIVERY_LOOP_ERRORS = Counter(
    "staffdesk_delivery_loop_errors_total", "Delivery loop iterations that failed (database or bug)."
)
SLACK_NOTICES = Counter(
    "staffdesk_slack_notices_total", "Slack outbox notices by result: sent, retried, given_up.", ["result"]
)
DATABASE_UP = Gauge("staffdesk_database_up", "1 when the last health check reached the database.")
DIRECTORY_REFRESHES = Counter(
    "staffdesk_directory_refreshes_total", "Directory refreshes by upstream and kind.", ["upstream", "kind"]
)
DIRECTORY_REFRESH_ERRORS = Counter(
    "staffdesk_directory_refresh_errors_total",
    "Directory refreshes that could not read everything.",
    ["upstream"],
)
