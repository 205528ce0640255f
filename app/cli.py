"""What each command-line command does, once its settings are valid; what it uses comes from wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from datetime import date

import uvicorn
from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import wiring
from app.domain.upstreams import Upstream
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
    await server.serve()
    return 0


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
    if current != head:
        return (
            False,
            f"database {where}: schema at {current or 'nothing'}, needs {head}: run 'staffdesk db upgrade'",
        )
    return True, f"database {where}: reachable, schema up to date ({head})"


async def _check_slack(settings: Settings) -> tuple[bool, str]:
    if settings.slack_bot_token is None:
        return False, "Slack: SLACK_BOT_TOKEN is not set"
    client = wiring.build_slack_client(settings)
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        return False, f"Slack: auth.test refused the bot token ({exc.response.get('error', 'unknown error')})"
    except Exception as exc:
        return False, f"Slack: cannot reach {mask_url(settings.slack_api_url)} ({type(exc).__name__})"
    return True, f"Slack: connected to team {answer.get('team')} as {answer.get('user')}"


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
            print(render_summary_text(await summary_for(ctx, day, ctx.channel or "")))
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
