"""What each command-line command does, once its settings are valid; what it uses comes from wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import uvicorn
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from app import wiring
from app.domain.upstreams import Upstream
from app.i18n import reading_as
from app.observability import mask_url, redact
from app.policy.file import PolicyFileError, load_policy
from app.policy.model import Policy
from app.services.directory import refresh_directory
from app.services.summary_runs import post_summary, summary_for
from app.services.summary_text import render_summary_text
from app.settings import Settings
from app.storage import database, migrate
from app.upstreams import build_upstreams

log = logging.getLogger("staffdesk")

ENV_EXAMPLE = ".env.example"
_BOT_TOKEN_SHAPE = re.compile(r"xoxb-\d+-\d+-[A-Za-z0-9]+")
_PLACEHOLDER_WORDS = re.compile(r"(?i)your|example|placeholder|change-?me|x{4,}|\.\.\.|<|>")
_WHAT_TO_DO = "put the Bot User OAuth Token from your Slack app in SLACK_BOT_TOKEN"
_TOKEN_REFUSALS = {
    "invalid_auth": "Slack does not know this token",
    "not_authed": "no token reached Slack",
    "token_revoked": "the token was revoked (the app was uninstalled, or its tokens were regenerated)",
    "token_expired": "the token has expired",
    "account_inactive": "the app's bot user or its workspace has been deactivated",
    "not_allowed_token_type": "this kind of token is not accepted; a bot token starts with xoxb-",
}


def _fail(message: str) -> int:
    print(f"staffdesk: {message}", file=sys.stderr)
    return 1


def _reason(error: object) -> str:
    """The first line of what an error says, with anything secret masked."""
    lines = str(error).splitlines()
    return redact(lines[0]) if lines else type(error).__name__


def _where(result: tuple[bool, str], *urls: str) -> tuple[bool, str]:
    """A failed probe's line, saying which URLs it used."""
    ok, line = result
    return result if ok else (ok, f"{line} (using {', '.join(mask_url(url) for url in urls)})")


async def _migrate(engine: AsyncEngine, settings: Settings) -> str | None:
    """Apply migrations; None when done, else a plain sentence saying what went wrong."""
    try:
        await migrate.upgrade(engine)
    except OSError as exc:
        return (
            f"cannot reach the database at {mask_url(settings.database_url)}: {_reason(exc.strerror or exc)}"
        )
    except Exception as exc:
        reason = _reason(getattr(exc, "orig", None) or exc)
        return f"cannot migrate the database at {mask_url(settings.database_url)}: {reason}"
    return None


async def db_upgrade(settings: Settings) -> int:
    engine = wiring.build_engine(settings)
    try:
        problem = await _migrate(engine, settings)
        if problem:
            return _fail(problem)
        revision = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    print(f"database {mask_url(settings.database_url)} is at revision {revision}")
    return 0


def _policy(settings: Settings) -> Policy | None:
    try:
        return load_policy(settings.staffdesk_policy)
    except PolicyFileError as error:
        print(error, file=sys.stderr)
        return None


async def serve(settings: Settings, host: str, port: int, *, socket: bool = False) -> int:
    permission_policy = _policy(settings)
    if permission_policy is None:
        return 2
    container = wiring.build_container(settings, permission_policy)
    problem = await _migrate(container.engine, settings)
    if problem:
        await container.engine.dispose()
        return _fail(problem)
    app_token = settings.slack_app_token.get_secret_value() if socket and settings.slack_app_token else None
    app = wiring.build_http_app(container, socket_token=app_token)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on"))
    log.info("serving on http://%s:%s (worker %s)", host, port, container.worker.worker_id)
    slack = asyncio.create_task(_warn_unless_slack_answers(settings, container.slack_client))
    try:
        await server.serve()
    finally:
        slack.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slack
    return 0


def _example_tokens() -> set[str]:
    """SLACK_BOT_TOKEN in the .env.example files within reach: the working directory's, the source's."""
    found = set()
    for example in {Path(ENV_EXAMPLE), Path(__file__).resolve().parents[1] / ENV_EXAMPLE}:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            for line in example.read_text(encoding="utf-8").splitlines():
                name, _, value = line.strip().partition("=")
                if name.strip() == "SLACK_BOT_TOKEN" and value.strip():
                    found.add(value.strip().strip("'\""))
    return found


def _token_hint(token: str) -> str | None:
    """Why a refused bot token was refused, when its text already says it: a placeholder, or not a token."""
    shaped = _BOT_TOKEN_SHAPE.fullmatch(token) is not None
    if token in _example_tokens() or (not shaped and _PLACEHOLDER_WORDS.search(token)):
        return "looks like the placeholder from .env.example"
    if not shaped:
        return "does not have a bot token's shape (xoxb-, two numbers, then letters): was it copied whole?"
    return None


@dataclass(frozen=True)
class _SlackAnswer:
    said: str
    accepted: bool = False
    token_refused: bool = False


def _refusal(settings: Settings, error: str) -> _SlackAnswer:
    """Slack's refusal of auth.test in plain words, and what to do about it."""
    if error not in _TOKEN_REFUSALS:
        return _SlackAnswer(f"Slack did not accept auth.test ({error})")
    hint = _token_hint(_bot_token(settings))
    why = f"it {hint}" if hint else _TOKEN_REFUSALS[error]
    return _SlackAnswer(f"the bot token was refused ({error}): {why}; {_WHAT_TO_DO}", token_refused=True)


def _bot_token(settings: Settings) -> str:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""


async def _ask_slack(settings: Settings, client: AsyncWebClient) -> _SlackAnswer:
    """Whether Slack takes the bot token (auth.test), said in plain words."""
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        return _refusal(settings, str(exc.response.get("error") or "unknown error"))
    except Exception as exc:
        line = f"cannot reach {mask_url(settings.slack_api_url)} ({type(exc).__name__})"
        hint = _token_hint(_bot_token(settings))
        return _SlackAnswer(f"{line}; also, SLACK_BOT_TOKEN {hint}" if hint else line)
    return _SlackAnswer(f"connected to team {answer.get('team')} as {answer.get('user')}", accepted=True)


async def _warn_unless_slack_answers(settings: Settings, client: AsyncWebClient) -> None:
    """Say at start whether Slack takes the bot token; serving goes on either way."""
    answer = await _ask_slack(settings, client)
    if answer.accepted:
        log.info("Slack: %s", answer.said)
    elif answer.token_refused:
        log.warning(
            "Slack: %s, then restart. Staffdesk keeps serving, but Slack refuses all it sends", answer.said
        )
    else:
        log.warning("Slack: %s. Staffdesk keeps serving; its messages wait until Slack answers", answer.said)


async def _check_database(settings: Settings) -> tuple[bool, str]:
    engine = wiring.build_engine(settings)
    where = mask_url(settings.database_url)
    try:
        await database.ping(engine)
        current = await migrate.current_revision(engine)
    except Exception as exc:
        return False, f"database {where}: unreachable ({type(exc).__name__}: {_reason(exc)})"
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    upgrade = "or run `staffdesk db upgrade`"
    if current is None:
        return (
            True,
            f"database {where}: reachable; schema not created yet — `staffdesk serve` creates it, {upgrade}",
        )
    if current != head:
        return (
            True,
            f"database {where}: reachable; schema at {current}, older than this version's {head} — "
            f"`staffdesk serve` upgrades it on start, {upgrade}",
        )
    return True, f"database {where}: reachable, schema up to date ({head})"


async def _check_slack(settings: Settings) -> tuple[bool, str]:
    if settings.slack_bot_token is None:
        return False, "Slack: SLACK_BOT_TOKEN is not set"
    answer = await _ask_slack(settings, wiring.build_slack_client(settings))
    return answer.accepted, f"Slack: {answer.said}"


async def _check_upstreams(settings: Settings) -> list[tuple[bool, str]]:
    upstreams = build_upstreams(settings)
    results: list[tuple[bool, str]] = []
    try:
        for parts in upstreams.parts.values():
            results.append(_where(await parts.probe(), *parts.urls))
    finally:
        await upstreams.aclose()
    for upstream in Upstream:
        if upstream not in upstreams.parts:
            missing = ", ".join(settings.missing_for(upstream))
            results.append((True, f"{upstream.label}: off (set {missing} to enable)"))
    return results


def _check_policy(settings: Settings) -> tuple[bool, str]:
    try:
        policy = load_policy(settings.staffdesk_policy)
    except PolicyFileError as error:
        return False, f"policy: {error}"
    roles = ", ".join(policy.roles) or "no roles"
    return True, f"policy: {settings.staffdesk_policy} is valid ({roles})"


async def check(settings: Settings) -> int:
    results = [(True, "settings: valid"), _check_policy(settings)]
    results += [await _check_database(settings), await _check_slack(settings)]
    results += await _check_upstreams(settings)
    for ok, line in results:
        print(f"{'ok  ' if ok else 'FAIL'} {line}")
    return 0 if all(ok for ok, _ in results) else 1


def sandbox(host: str, wethod_port: int, missionx_port: int, procore_port: int) -> int:
    from app.sandbox.runner import SandboxPorts, run_sandbox

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_sandbox(host, SandboxPorts(wethod_port, missionx_port, procore_port)))
    return 0


def demo(port: int) -> int:
    from app.demo.runner import run_demo

    # The terminal shows the banner and what goes wrong; the page shows the rest.
    logging.getLogger().setLevel(logging.WARNING)
    try:
        return asyncio.run(run_demo(port))
    except KeyboardInterrupt:  # pressed before the demo took Ctrl-C over
        return 130


async def summary(settings: Settings, day: date | None, *, dry_run: bool) -> int:
    permission_policy = _policy(settings)
    if permission_policy is None:
        return 2
    if not dry_run and not (settings.slack_bot_token and settings.staffdesk_summary_channel):
        return _fail("posting the summary needs SLACK_BOT_TOKEN and STAFFDESK_SUMMARY_CHANNEL; try --dry-run")
    container = wiring.build_container(settings, permission_policy)
    try:
        problem = await _migrate(container.engine, settings)
        if problem:
            return _fail(problem)
        for source in container.directory_sources:
            await refresh_directory(source, container.unit_of_work, container.clock)
        ctx = container.summaries
        day = day or ctx.today()
        if dry_run:
            summary = await summary_for(ctx, day, ctx.channel or "")
            with reading_as(settings.staffdesk_language):  # the channel's words, as it would be posted
                print(render_summary_text(summary))
            return 0
        assert ctx.channel is not None
        ts = await post_summary(ctx, container.summary_poster, day, ctx.channel)
        print(
            f"posted the summary of {day} to {ctx.channel}"
            if ts
            else f"the summary of {day} was already posted"
        )
        return 0
    finally:
        await container.upstreams.aclose()
        await container.engine.dispose()
