"""The `staffdesk` command never prints a password it was given in a URL, in a process of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.processes import free_port
from tests.e2e.test_command_line import BOT_TOKEN, SIGNING_SECRET, run, staffdesk_env

PASSWORD = "S3cr3t"


@pytest.mark.parametrize("args", [["check"], ["serve"], ["db", "upgrade"]])
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg2://staff:S3cr3t@db/x", "postgresql+psycopg2://staff:***@db/x"),
        ("postgresql://staff:S3cr3t@db:notaport/x", "postgresql://staff:***@db:notaport/x"),
    ],
)
def test_a_refused_database_url_is_named_with_its_password_masked(
    tmp_path: Path, args: list[str], url: str, shown: str
) -> None:
    env = staffdesk_env(
        tmp_path, DATABASE_URL=url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET
    )
    result = run(args, env, tmp_path)
    assert result.returncode == 2
    assert f"  - DATABASE_URL: '{shown}' is not valid (" in result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_check_shows_every_url_it_tries_with_the_password_masked(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = staffdesk_env(
        tmp_path,
        DATABASE_URL=f"postgresql://staff:{PASSWORD}@127.0.0.1:{port}/staffdesk",
        SLACK_API_URL=f"http://bot:{PASSWORD}@127.0.0.1:{port}/api/",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        WETHOD_BASE_URL=f"http://proxy:{PASSWORD}@127.0.0.1:{port}",
        WETHOD_TOKEN="wethod-token-value",
        WETHOD_COMPANY="acme",
    )
    result = run(["check"], env, tmp_path)
    assert result.returncode == 1
    assert f"FAIL database postgresql://staff:***@127.0.0.1:{port}/staffdesk: unreachable" in result.stdout
    assert f"FAIL Slack: cannot reach http://bot:***@127.0.0.1:{port}/api/" in result.stdout
    assert f"(using http://proxy:***@127.0.0.1:{port})" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    assert "wethod-token-value" not in result.stdout + result.stderr
