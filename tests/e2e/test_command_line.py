"""The `staffdesk` command as an operator runs it, in a process of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.storage import migrate
from tests.e2e.processes import ROOT, STAFFDESK_PREFIXES, free_port

BOT_TOKEN = "xoxb-2222222222-3333333333-RealLookingBotTokenValue"
SIGNING_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
STARTUP_DEADLINE_SECONDS = 30


def staffdesk_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The parent's environment without any Staffdesk setting, plus `values`; the example policy in place."""
    policy = tmp_path / "policy.yml"
    if not policy.exists():
        policy.write_text((ROOT / "policy.example.yml").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(STAFFDESK_PREFIXES)}
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"  # never the real Slack from a test
    return env | values


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [["--help"], ["serve", "--help"], ["db", "--help"], ["db", "upgrade", "--help"], ["check", "--help"]],
)
def test_every_command_has_help(args: list[str], tmp_path: Path) -> None:
    result = run(args, staffdesk_env(tmp_path), tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: staffdesk")


def test_db_upgrade_creates_the_schema_and_a_second_run_changes_nothing(
    fresh_database_url: str, tmp_path: Path
) -> None:
    env = staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url)
    first = run(["db", "upgrade"], env, tmp_path)
    second = run(["db", "upgrade"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert f"at revision {migrate.head_revision()}" in first.stdout
    assert "Running upgrade" in first.stderr
    assert "Running upgrade" not in second.stderr


def test_bad_settings_stop_start_up_with_one_listing_and_no_traceback(tmp_path: Path) -> None:
    env = staffdesk_env(
        tmp_path, SLACK_BOT_TOKEN="xoxp-not-a-bot-token-secret", STAFFDESK_TIMEZONE="Nowhere/Land"
    )
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Staffdesk cannot start: 3 settings need attention" in result.stderr
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "STAFFDESK_TIMEZONE"):
        assert f"  - {name}: " in result.stderr
    assert "not-a-bot-token-secret" not in result.stderr


def test_socket_mode_needs_the_app_token(tmp_path: Path) -> None:
    env = staffdesk_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN)
    result = run(["serve", "--socket"], env, tmp_path)
    assert result.returncode == 2
    assert "  - SLACK_APP_TOKEN: missing; expected an app-level token (xapp-...)" in result.stderr
    assert "SLACK_SIGNING_SECRET" not in result.stderr  # Socket Mode needs no signing secret


def test_an_unreachable_database_at_start_is_said_plainly(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = staffdesk_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=f"postgresql://staffdesk:hunter2@127.0.0.1:{port}/staffdesk",
    )
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"cannot reach the database at postgresql://staffdesk:***@127.0.0.1:{port}/staffdesk" in result.stderr
    )
    assert "hunter2" not in result.stderr


def test_a_bad_policy_file_stops_start_up_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "policy.yml").write_text("roles:\n  pm: [planning.modify, planning.teleport]\n")
    env = staffdesk_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "policy.yml:2: unknown permission 'planning.teleport' in role 'pm'" in result.stderr


def test_check_reports_a_schema_that_needs_upgrading(fresh_database_url: str, tmp_path: Path) -> None:
    result = run(["check"], staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url), tmp_path)
    assert result.returncode == 1
    assert "ok   settings: valid" in result.stdout
    assert "ok   policy: policy.yml is valid (resource-manager, project-manager)" in result.stdout
    assert "run 'staffdesk db upgrade'" in result.stdout
    assert "FAIL Slack: SLACK_BOT_TOKEN is not set" in result.stdout
    assert "Wethod: off (set WETHOD_TOKEN, WETHOD_COMPANY to enable)" in result.stdout


@pytest.fixture
def served(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = staffdesk_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=fresh_database_url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def test_serve_migrates_then_answers_health_and_metrics(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, process = served
    health = httpx.get(f"{base}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}
    metrics = httpx.get(f"{base}/metrics", timeout=5)
    assert metrics.status_code == 200
    assert "staffdesk_database_up 1.0" in metrics.text
    assert "# TYPE staffdesk_delivery_attempts_total counter" in metrics.text

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once shut down
    assert process.stdout is not None
    output = process.stdout.read()
    assert "Running upgrade" in output
    assert "stopped: delivery and Slack outbox loops finished, database connections closed" in output
    assert BOT_TOKEN not in output
    assert SIGNING_SECRET not in output


def test_sandbox_prints_settings_that_check_can_use_against_it(
    tmp_path: Path, fresh_database_url: str
) -> None:
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "--wethod-port",
            "0",
            "--missionx-port",
            "0",
            "--procore-port",
            "0",
        ],
        env=staffdesk_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert sandbox.stdout is not None
    printed: dict[str, str] = {}
    try:
        while "PROCORE_COMPANY_ID" not in printed:
            line = sandbox.stdout.readline()
            assert line, "the sandbox stopped before printing its settings"
            if "=" in line and not line.startswith("#"):
                name, value = line.strip().split("=", 1)
                printed[name] = value
        env = staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url, **printed)
        run(["db", "upgrade"], env, tmp_path)
        result = run(["check"], env, tmp_path)
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            stopped = sandbox.wait(timeout=30)
        finally:
            sandbox.kill()  # only if SIGINT did not stop it, which fails the test below
            sandbox.wait()
            sandbox.stdout.close()
    assert stopped == 0  # Ctrl-C stops the sandbox cleanly
    assert "ok   Wethod: connected as Ana Rossi (Project Manager)" in result.stdout
    assert "ok   MissionX: connected; the organization has" in result.stdout
    assert "ok   Procore: connected; the company has" in result.stdout
    assert printed["WETHOD_BASE_URL"].startswith("http://127.0.0.1:")
