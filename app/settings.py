"""Settings from the environment and `.env`: every variable of the interface, validated all at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.domain.upstreams import UPSTREAMS, Upstream
from app.observability import mask_url, redact
from app.services.calendar import holiday_region


class Mode(StrEnum):
    """What the process is started for; each needs different settings."""

    HTTP = "http"
    SOCKET = "socket"
    DATABASE = "database"
    CHECK = "check"


EXPECTED: dict[str, str] = {
    "slack_bot_token": "the bot token (xoxb-...) from the Slack app's OAuth & Permissions page",
    "slack_signing_secret": "the signing secret from the Slack app's Basic Information page",
    "slack_app_token": "an app-level token (xapp-...) with the connections:write scope",
    "slack_api_url": "an http(s) URL such as https://slack.com/api/",
    "database_url": "sqlite:///path/to/staffdesk.db or postgresql://user:password@host/db",
    "staffdesk_policy": "the path of the permission policy YAML file",
    "staffdesk_timezone": "an IANA time zone name such as Europe/Rome or UTC",
    "staffdesk_summary_time": "a time of day as HH:MM, such as 09:00",
    "staffdesk_summary_channel": "a Slack channel id such as C0123456789",
    "staffdesk_operators": "a Slack channel id (C0123456789) or user ids (U0123,U0456), comma-separated",
    "staffdesk_upstream_timeout": "a number of seconds between 1 and 300, such as 20",
    "staffdesk_holidays": "a country code, with a subdivision if wanted, such as IT or IT-RM",
    "staffdesk_language": "en (English) or it (Italian)",
    "wethod_base_url": "an http(s) URL such as https://api.wethod.com",
    "wethod_token": "a Wethod personal API token",
    "wethod_company": "the Wethod company slug (acme for acme.wethod.com)",
    "wethod_version": "a Wethod API version date such as 2024-06-15",
    "missionx_base_url": "an http(s) URL such as https://open.api.missionx.ai/v2",
    "missionx_token_url": "an http(s) URL such as https://open.api.missionx.ai/auth/token",
    "missionx_client_id": "the MissionX API client id",
    "missionx_client_secret": "the MissionX API client secret",
    "missionx_org_id": "the MissionX organization id",
    "procore_base_url": "an http(s) URL such as https://api.procore.com",
    "procore_token_url": "an http(s) URL such as https://login.procore.com/oauth/token",
    "procore_client_id": "the Procore service account's client id",
    "procore_client_secret": "the Procore service account's client secret",
    "procore_company_id": "the Procore company id, a positive whole number",
}

_URL = re.compile(r"^https?://[^\s/]+")
_DATABASE_DRIVERS = {"sqlite", "sqlite+aiosqlite", "postgres", "postgresql", "postgresql+asyncpg"}


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("not an http(s) URL")
    return value


def _check_database_url(value: str) -> str:
    """Refuse what the engine could not open; no message repeats any part of the URL but its scheme."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError("not a URL of the form scheme://user:password@host:port/database") from None
    except ValueError:
        raise ValueError("the port is not a number") from None
    if url.drivername not in _DATABASE_DRIVERS:
        backend = url.get_backend_name()
        if backend in ("postgres", "postgresql"):
            raise ValueError(
                f"'{url.drivername}' is not supported: Staffdesk reaches PostgreSQL through asyncpg"
            )
        if backend == "sqlite":
            raise ValueError(
                f"'{url.drivername}' is not supported: Staffdesk reaches SQLite through aiosqlite"
            )
        raise ValueError(f"'{url.drivername}' databases are not supported")
    if url.host and "@" in url.host:
        raise ValueError("the host name holds an '@': write an @ in the user name or password as %40")
    return value


class Settings(BaseModel):
    """Validated settings. Field names are the variable names in lower case."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///staffdesk.db"
    staffdesk_policy: Path = Path("policy.yml")
    staffdesk_timezone: str = "UTC"
    staffdesk_summary_time: time = time(9, 0)
    staffdesk_summary_channel: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]{2,}$")
    staffdesk_operators: str | None = Field(
        default=None, pattern=r"^[CGUW][A-Z0-9]{2,}(,\s*[UW][A-Z0-9]{2,})*$"
    )
    staffdesk_upstream_timeout: float = Field(default=20.0, ge=1, le=300)
    staffdesk_holidays: str | None = None
    staffdesk_language: Literal["en", "it"] = "en"
    wethod_base_url: str = "https://api.wethod.com"
    wethod_token: SecretStr | None = None
    wethod_company: str | None = None
    wethod_version: str = Field(default="2024-06-15", pattern=r"^\d{4}-\d{2}-\d{2}$")
    missionx_base_url: str = "https://open.api.missionx.ai/v2"
    missionx_token_url: str = "https://open.api.missionx.ai/auth/token"  # noqa: S105 (a URL)
    missionx_client_id: str | None = None
    missionx_client_secret: SecretStr | None = None
    missionx_org_id: str | None = None
    procore_base_url: str = "https://api.procore.com"
    procore_token_url: str = "https://login.procore.com/oauth/token"  # noqa: S105 (a URL)
    procore_client_id: str | None = None
    procore_client_secret: SecretStr | None = None
    procore_company_id: int | None = Field(default=None, ge=1)

    @field_validator(
        "slack_api_url",
        "wethod_base_url",
        "missionx_base_url",
        "missionx_token_url",
        "procore_base_url",
        "procore_token_url",
    )
    @classmethod
    def _urls(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("does not start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("does not start with xapp-")
        return value

    @field_validator("staffdesk_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a known time zone") from None
        return value

    @field_validator("staffdesk_holidays")
    @classmethod
    def _holidays(cls, value: str | None) -> str | None:
        return holiday_region(value) if value is not None else None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _check_database_url(value)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.staffdesk_timezone)

    @property
    def operators(self) -> tuple[str, ...]:
        """Where operator problems go: one channel, or each of these users by DM."""
        return tuple(p.strip() for p in (self.staffdesk_operators or "").split(",") if p.strip())

    def enabled_upstreams(self) -> list[Upstream]:
        """Upstreams whose credentials are all set."""
        return [u for u, info in UPSTREAMS.items() if all(getattr(self, f) for f in info.enabled_by)]

    def missing_for(self, upstream: Upstream) -> list[str]:
        """Variable names still needed to enable `upstream`."""
        return [f.upper() for f in UPSTREAMS[upstream].enabled_by if not getattr(self, f)]


class _RawSettings(BaseSettings):
    """Every variable as the text it was given (environment, then `.env`), before any validation."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")


RawSettings: type[BaseSettings] = create_model(  # type: ignore[call-overload]
    "RawSettings", __base__=_RawSettings, **{name: (str | None, None) for name in Settings.model_fields}
)

_REQUIRED: dict[Mode, tuple[str, ...]] = {
    Mode.HTTP: ("slack_bot_token", "slack_signing_secret"),
    Mode.SOCKET: ("slack_bot_token", "slack_app_token"),
    Mode.DATABASE: (),
    Mode.CHECK: (),
}


@dataclass(frozen=True)
class Problem:
    name: str
    what: str
    expected: str

    def __str__(self) -> str:
        return f"  - {self.name}: {self.what}; expected {self.expected}."


class SettingsError(Exception):
    """Settings that stop start-up; the message lists every problem and never a secret."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        one = len(problems) == 1
        count = f"{len(problems)} setting{'' if one else 's'} need{'s' if one else ''}"
        lines = [f"Staffdesk cannot start: {count} attention (environment variables or .env):"]
        lines += [str(p) for p in problems]
        super().__init__("\n".join(lines))


def _is_secret(name: str) -> bool:
    annotation = str(Settings.model_fields[name].annotation)
    return "SecretStr" in annotation


def _shown_value(name: str, value: str) -> str | None:
    """How the value of setting `name` may appear in a message: never for a secret, a URL with its
    password masked, anything else with whatever looks like a token masked."""
    if _is_secret(name):
        return None
    return redact(mask_url(value) if name.endswith("_url") else value)


def _problem_from_error(error: Any, raw: dict[str, str]) -> Problem:
    """Built from pydantic's bare `msg`, never from its rendering, which repeats the input."""
    name = str(error["loc"][0])
    message = str(error["msg"]).removeprefix("Value error, ")
    value = raw.get(name)
    if value is None:
        return Problem(name.upper(), message, EXPECTED[name])
    shown = _shown_value(name, value)
    if shown is None:
        return Problem(name.upper(), "not valid" if value in message else message, EXPECTED[name])
    message = message.replace(value, shown)
    if shown not in message:
        message = f"'{shown}' is not valid ({message})"
    return Problem(name.upper(), message, EXPECTED[name])


def _partial_upstreams(raw: dict[str, str]) -> list[Problem]:
    problems = []
    for info in UPSTREAMS.values():
        upstream, fields = info.label, info.enabled_by
        given = [f for f in fields if raw.get(f)]
        if given and len(given) < len(fields):
            for name in fields:
                if name not in given:
                    what = f"missing, while {', '.join(g.upper() for g in given)} is set for {upstream}"
                    problems.append(Problem(name.upper(), what, EXPECTED[name]))
    return problems


def load_settings(mode: Mode) -> Settings:
    """Read and validate every setting; raise SettingsError listing all problems at once."""
    raw = {k: v for k, v in RawSettings().model_dump().items() if v is not None}
    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems += [_problem_from_error(error, raw) for error in exc.errors()]
    for name in _REQUIRED[mode]:
        if name not in raw:
            problems.append(Problem(name.upper(), "missing", EXPECTED[name]))
    problems += _partial_upstreams(raw)
    if problems or settings is None:
        raise SettingsError(sorted(problems, key=lambda p: p.name))
    return settings
