"""Settings: defaults, one message listing every problem, secrets never shown."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from app.domain.upstreams import Upstream
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
    assert settings.missionx_base_url == "https://open.api.missionx.ai/v2"
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
    assert settings.enabled_upstreams() == [Upstream.WETHOD]


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
    assert settings.missing_for(Upstream.MISSIONX) == [
        "MISSIONX_CLIENT_ID",
        "MISSIONX_CLIENT_SECRET",
        "MISSIONX_ORG_ID",
    ]


URL_SETTINGS = sorted(name for name in Settings.model_fields if name.endswith("_url"))


def test_every_url_setting_is_known_as_one() -> None:
    assert URL_SETTINGS == [
        "database_url",
        "missionx_base_url",
        "missionx_token_url",
        "procore_base_url",
        "procore_token_url",
        "slack_api_url",
        "wethod_base_url",
    ]


@pytest.mark.parametrize("name", URL_SETTINGS)
def test_a_refused_url_is_shown_with_its_password_masked(clean_env: pytest.MonkeyPatch, name: str) -> None:
    clean_env.setenv(name.upper(), "gopher://staff:S3cr3t@host.example/x")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    message = str(raised.value)
    assert f"  - {name.upper()}: 'gopher://staff:***@host.example/x' is not valid (" in message
    assert "S3cr3t" not in message


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgresql+psycopg2://staff:S3cr3t@db/x", "Staffdesk reaches PostgreSQL through asyncpg"),
        ("postgresql://staff:S3cr3t@db:notaport/x", "the port is not a number"),
        ("postgresql://staff:S3cr3t@pass@db/x", "write an @ in the user name or password as %40"),
        ("staff:S3cr3t@db/x", "not a URL of the form scheme://user:password@host:port/database"),
        ("mysql://staff:S3cr3t@db/x", "'mysql' databases are not supported"),
        ("sqlite+pysqlite:///staffdesk.db", "Staffdesk reaches SQLite through aiosqlite"),
    ],
)
def test_a_database_url_the_engine_cannot_open_is_refused_without_its_password(
    clean_env: pytest.MonkeyPatch, url: str, why: str
) -> None:
    clean_env.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    message = str(raised.value)
    assert [p.name for p in raised.value.problems] == ["DATABASE_URL"]
    assert why in message
    assert "S3cr3t" not in message


def test_a_token_pasted_into_the_wrong_setting_is_masked(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("STAFFDESK_TIMEZONE", BOT_TOKEN)
    clean_env.setenv("SLACK_API_URL", BOT_TOKEN)
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    message = str(raised.value)
    assert "STAFFDESK_TIMEZONE: 'xox*-***' is not a known time zone" in message
    assert "SLACK_API_URL: 'xox*-***' is not valid (not an http(s) URL)" in message
    assert BOT_TOKEN not in message


def test_a_secret_the_message_would_repeat_is_only_said_to_be_not_valid(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("SLACK_APP_TOKEN", "xapp")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    assert "  - SLACK_APP_TOKEN: not valid; expected" in str(raised.value)


def test_the_message_never_carries_pydantics_rendering_of_the_input(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg2://staff:S3cr3t@db/x")
    clean_env.setenv("STAFFDESK_UPSTREAM_TIMEOUT", "soon")
    clean_env.setenv("PROCORE_COMPANY_ID", "acme")
    clean_env.setenv("STAFFDESK_SUMMARY_TIME", "noon")
    clean_env.setenv("SLACK_BOT_TOKEN", "S3cr3t-bot-token")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.DATABASE)
    message = str(raised.value)
    assert len(raised.value.problems) == 7  # the five above, and Procore's two missing
    assert "input_value" not in message
    assert "input_type" not in message
    assert "S3cr3t" not in message
