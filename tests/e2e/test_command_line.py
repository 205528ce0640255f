"""The `staffdesk` command as an operator runs it, in a process of its own."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.storage import database, migrate
from tests.e2e.processes import ROOT, STAFFDESK_PREFIXES, free_port
from tests.fake_slack import FakeSlack, serve_fake_slack

BOT_TOKEN = "xoxb-2222222222-3333333333-RealLookingBotTokenValue"
SIGNING_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
PLACEHOLDER = "xoxb-your-bot-token"  # the value in .env.example
STARTUP_DEADLINE_SECONDS = 30
Result = subprocess.CompletedProcess[str]


def staffdesk_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The parent's environment without any Staffdesk setting, plus `values`; the example policy in place."""
    policy = tmp_path / "policy.yml"
    if not policy.exists():
        policy.write_text((ROOT / "policy.example.yml").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(STAFFDESK_PREFIXES)}
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"  # never the real Slack from a test
    return env | values


def run(args: list[str], env: dict[str, str], cwd: Path) -> Result:
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


def test_check_on_a_fresh_database_says_how_the_schema_gets_created(
    fresh_database_url: str, tmp_path: Path
) -> None:
    result = run(["check"], staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url), tmp_path)
    assert result.returncode == 1  # for Slack only
    assert "ok   settings: valid" in result.stdout
    assert "ok   policy: policy.yml is valid (resource-manager, project-manager)" in result.stdout
    assert re.search(
        r"^ok   database \S+: reachable; schema not created yet — "
        r"`staffdesk serve` creates it, or run `staffdesk db upgrade`$",
        result.stdout,
        re.MULTILINE,
    )
    assert "FAIL database" not in result.stdout
    assert "FAIL Slack: SLACK_BOT_TOKEN is not set" in result.stdout
    assert "Wethod: off (set WETHOD_TOKEN, WETHOD_COMPANY to enable)" in result.stdout


async def test_check_on_an_older_schema_says_serve_upgrades_it(
    fresh_database_url: str, tmp_path: Path
) -> None:
    engine = database.create_engine(fresh_database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    finally:
        await engine.dispose()
    env = staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url)
    result = await asyncio.to_thread(run, ["check"], env, tmp_path)
    head = migrate.head_revision()
    assert (
        f": reachable; schema at 0004, older than this version's {head} — "
        "`staffdesk serve` upgrades it on start, or run `staffdesk db upgrade`"
    ) in result.stdout
    assert "FAIL database" not in result.stdout


def refusing(error: str) -> FakeSlack:
    return FakeSlack(answers={"auth.test": lambda _: {"ok": False, "error": error}})


async def run_against(fake: FakeSlack, args: list[str], env: dict[str, str], cwd: Path) -> Result:
    """The command run in its own process while `fake` answers for Slack."""
    async with serve_fake_slack(fake) as slack_url:
        return await asyncio.to_thread(run, args, env | {"SLACK_API_URL": slack_url}, cwd)


async def test_check_tells_the_placeholder_token_of_env_example_from_a_real_one(
    fresh_database_url: str, tmp_path: Path
) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")  # what a newcomer does first
    fake = refusing("invalid_auth")
    result = await run_against(
        fake, ["check"], staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url), tmp_path
    )
    assert result.returncode == 1
    assert (
        "FAIL Slack: the bot token was refused (invalid_auth): it looks like the placeholder from "
        ".env.example; put the Bot User OAuth Token from your Slack app in SLACK_BOT_TOKEN"
    ) in result.stdout.splitlines()
    assert [call.token for call in fake.calls] == [PLACEHOLDER]  # the token of .env reached Slack
    assert PLACEHOLDER not in result.stdout + result.stderr


@pytest.mark.parametrize("example_holds_it", [False, True])
async def test_check_says_in_plain_words_that_slack_refused_the_token(
    fresh_database_url: str, tmp_path: Path, example_holds_it: bool
) -> None:
    if example_holds_it:  # a token copied from .env.example is the placeholder, whatever its shape
        (tmp_path / ".env.example").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\n")
    env = staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url, SLACK_BOT_TOKEN=BOT_TOKEN)
    result = await run_against(refusing("invalid_auth"), ["check"], env, tmp_path)
    why = (
        "it looks like the placeholder from .env.example"
        if example_holds_it
        else "Slack does not know this token"
    )
    assert (
        f"FAIL Slack: the bot token was refused (invalid_auth): {why}; "
        "put the Bot User OAuth Token from your Slack app in SLACK_BOT_TOKEN"
    ) in result.stdout.splitlines()
    assert BOT_TOKEN not in result.stdout + result.stderr


async def test_check_prints_only_its_own_lines_and_a_fresh_install_passes(
    fresh_database_url: str, tmp_path: Path
) -> None:
    env = staffdesk_env(tmp_path, DATABASE_URL=fresh_database_url, SLACK_BOT_TOKEN=BOT_TOKEN)
    result = await run_against(FakeSlack(), ["check"], env, tmp_path)
    assert result.returncode == 0, result.stdout
    assert "ok   Slack: connected to team Acme as staffdesk" in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    assert all(line.startswith(("ok   ", "FAIL ")) for line in lines), result.stdout
    assert result.stderr == ""  # no library's log line below WARNING (alembic, slack_sdk, ...)


def test_a_missing_policy_file_suggests_copying_the_example_beside_it(tmp_path: Path) -> None:
    env = staffdesk_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    (tmp_path / "policy.yml").rename(tmp_path / "policy.example.yml")
    suggestion = (
        "policy.yml: no such file; start from the example beside it: cp policy.example.yml policy.yml "
        "(or point STAFFDESK_POLICY at your own policy file)"
    )
    served = run(["serve"], env, tmp_path)
    assert served.returncode == 2
    assert served.stderr.strip() == suggestion
    checked = run(["check"], env, tmp_path)
    assert f"FAIL policy: {suggestion}" in checked.stdout.splitlines()


async def start_serving(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`staffdesk serve` in a process of its own, its standard error piped; the process and its base URL."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return process, f"http://127.0.0.1:{port}"


async def health_of(base: str) -> int:
    """The status of /healthz once the server answers at all."""
    async with httpx.AsyncClient() as http:
        while True:
            try:
                return (await http.get(f"{base}/healthz", timeout=5)).status_code
            except httpx.TransportError:
                await asyncio.sleep(0.1)


async def test_serve_warns_at_start_when_slack_refuses_the_token_and_keeps_serving(
    fresh_database_url: str, tmp_path: Path
) -> None:
    env = staffdesk_env(
        tmp_path,
        DATABASE_URL=fresh_database_url,
        SLACK_BOT_TOKEN=PLACEHOLDER,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
    )
    async with serve_fake_slack(refusing("invalid_auth")) as slack_url:
        process, base = await start_serving(env | {"SLACK_API_URL": slack_url}, tmp_path)
        try:
            warning = await asyncio.wait_for(
                line_with(process, " staffdesk: Slack: "), STARTUP_DEADLINE_SECONDS
            )
            health = await asyncio.wait_for(health_of(base), STARTUP_DEADLINE_SECONDS)
            process.send_signal(signal.SIGINT)  # Ctrl-C
            _, rest = await asyncio.wait_for(process.communicate(), STARTUP_DEADLINE_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert warning.endswith(
        " WARNING staffdesk: Slack: the bot token was refused (invalid_auth): it looks like the placeholder "
        "from .env.example; put the Bot User OAuth Token from your Slack app in SLACK_BOT_TOKEN, "
        "then restart. Staffdesk keeps serving, but Slack refuses all it sends"
    )
    assert health == 200
    assert process.returncode == 130
    assert "Traceback" not in rest.decode()
    assert PLACEHOLDER not in warning + rest.decode()


async def line_with(process: asyncio.subprocess.Process, text: str) -> str:
    """The first line the process writes to standard error that holds `text`."""
    assert process.stderr is not None
    while line := (await process.stderr.readline()).decode():
        if text in line:
            return line.rstrip("\n")
    raise AssertionError(f"the process ended without saying {text!r}")


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
