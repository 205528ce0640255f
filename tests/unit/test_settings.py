"""Settings: defaults, one message listing every problem, secrets never shown."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from app.settings import EXPECTED, Mode, Settings, SettingsError, load_settings

BOT_TOKEN = "xoxb-1234567890-abcdefghijklmnop"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def test_every_setting_has_its_documented_default(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(Mode.DATABASE)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///staffdesk.db"
    assert settings.staffdesk_policy == Path("policy.yml")
    assert settings.staffdesk_timezone == "UTC"
    assert settings.staffdesk_summary_time == time(9, 0)
    assert settings.staffdesk_summary_channel is None
    assert settings.staffdesk_upstream_timeout == 20
    assert settings.wethod_base_url == "https://api.wethod.com"
    assert settings.wethod_version == "2024-06-15"
    assert settings.missionx_base_url == "https://open.api.missionx.ai/v1"
    assert settings.missionx_token_url == "https://open.api.missionx.ai/auth/token"
    assert settings.procore_base_url == "https://api.procore.com"
    assert settings.procore_token_url == "https://login.procore.com/oauth/token"
    assert settings.enabled_upstreams() == []


def test_every_setting_says_what_is_expected_of_it() -> None:
    assert set(EXPECTED) == set(Settings.model_fields)


def test_http_mode_needs_the_bot_token_and_signing_secret(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.HTTP)
    assert [p.name for p in raised.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    settings = load_settings(Mode.HTTP)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN


def test_socket_mode_needs_the_app_token(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.SOCKET)
    assert [p.name for p in raised.value.problems] == ["SLACK_APP_TOKEN"]


def test_one_message_lists_every_problem_with_name_what_and_expected(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-not-a-bot-token")
    clean_env.setenv("STAFFDESK_TIMEZONE", "Mars/Olympus_Mons")
    clean_env.setenv("STAFFDESK_SUMMARY_TIME", "25:61")
    clean_env.setenv("STAFFDESK_SUMMARY_CHANNEL", "#general")
    clean_env.setenv("DATABASE_URL", "mysql://db/staffdesk")
    clean_env.setenv("PROCORE_COMPANY_ID", "-4")
    clean_env.setenv("WETHOD_BASE_URL", "api.wethod.com")
    clean_env.setenv("STAFFDESK_UPSTREAM_TIMEOUT", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.HTTP)
    message = str(raised.value)
    names = [p.name for p in raised.value.problems]
    assert names == sorted(
        [
            "DATABASE_URL",
            "PROCORE_CLIENT_ID",
            "PROCORE_CLIENT_SECRET",
            "PROCORE_COMPANY_ID",
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "STAFFDESK_SUMMARY_CHANNEL",
            "STAFFDESK_SUMMARY_TIME",
            "STAFFDESK_TIMEZONE",
            "STAFFDESK_UPSTREAM_TIMEOUT",
            "WETHOD_BASE_URL",
        ]
    )
    assert message.startswith("Staffdesk cannot start: 11 settings need attention")
    assert "STAFFDESK_TIMEZONE: 'Mars/Olympus_Mons' is not a known time zone; expected an IANA" in message
    assert "SLACK_SIGNING_SECRET: missing; expected" in message
    assert "PROCORE_CLIENT_ID: missing, while PROCORE_COMPANY_ID is set for Procore" in message
    assert "'mysql' databases are not supported" in message
    assert "Traceback" not in message


def test_a_bad_secret_is_named_but_never_shown(clean_env: pytest.MonkeyPatch) -> None:
    secret = "xoxp-this-is-a-user-token-value"
    clean_env.setenv("SLACK_BOT_TOKEN", secret)
    clean_env.setenv("MISSIONX_CLIENT_SECRET", "mx-very-secret")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    message = str(raised.value)
    assert "SLACK_BOT_TOKEN: does not start with xoxb-" in message
    assert "MISSIONX_CLIENT_ID: missing" in message
    assert secret not in message
    assert "mx-very-secret" not in message


def test_secrets_never_appear_in_the_settings_repr(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("WETHOD_TOKEN", "wethod-personal-token")
    clean_env.setenv("WETHOD_COMPANY", "acme")
    settings = load_settings(Mode.HTTP)
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in (BOT_TOKEN, SIGNING_SECRET, "wethod-personal-token"):
        assert secret not in shown
    assert settings.enabled_upstreams() == ["Wethod"]


def test_a_dot_env_file_is_read_and_the_environment_wins(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "STAFFDESK_TIMEZONE=Europe/Rome\nWETHOD_COMPANY=fromfile\nWETHOD_TOKEN=t\n"
    )
    clean_env.setenv("WETHOD_COMPANY", "fromenv")
    settings = load_settings(Mode.DATABASE)
    assert settings.timezone.key == "Europe/Rome"
    assert settings.wethod_company == "fromenv"


def test_empty_values_count_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("STAFFDESK_SUMMARY_CHANNEL", "")
    clean_env.setenv("WETHOD_TOKEN", "")
    settings = load_settings(Mode.DATABASE)
    assert settings.staffdesk_summary_channel is None
    assert settings.wethod_token is None


def test_the_slack_api_url_always_ends_with_a_slash(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    assert load_settings(Mode.DATABASE).slack_api_url == "http://127.0.0.1:9999/api/"


def test_an_upstream_lists_what_it_still_needs(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(Mode.DATABASE)
    assert settings.missing_for("MissionX") == [
        "MISSIONX_CLIENT_ID",
        "MISSIONX_CLIENT_SECRET",
        "MISSIONX_ORG_ID",
    ]
