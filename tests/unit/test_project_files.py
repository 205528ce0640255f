"""The README, CI script, manifest and Dockerfile say the same things as the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def test_the_readme_opens_with_the_run_command_then_the_test_command() -> None:
    run, test = _shell_blocks(_readme())[:2]
    assert run.endswith("pip install . && staffdesk demo")
    assert test.endswith("pip install -e '.[test]' && pytest")


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    test_command = _shell_blocks(_readme())[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f'TEST_COMMAND="{test_command}"' in ci
    assert ci.count('bash -c "$TEST_COMMAND"') == 2


def test_the_readme_documents_every_setting() -> None:
    readme = _readme()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name


def test_the_manifest_lists_every_command_and_the_needed_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/allocate", "/whitelist", "/add-person", "/staffing"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "users:read.email",
        "usergroups:read",
    } <= scopes
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")


def test_the_dockerfile_runs_serve_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]-slim", dockerfile, flags=re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.M)
    assert "EXPOSE 3000" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, flags=re.M)
    assert 'CMD ["staffdesk", "serve"' in dockerfile


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
