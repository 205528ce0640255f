"""The `staffdesk` command line: parse, load settings, wire, run."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import date

from app.settings import Mode, Settings, SettingsError, load_settings

log = logging.getLogger("staffdesk")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staffdesk",
        description="Staffdesk: staffing requests in Slack, approved and delivered upstream.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve Slack over HTTP, with /healthz and /metrics")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    serve.add_argument(
        "--socket",
        action="store_true",
        help="talk to Slack over Socket Mode (needs SLACK_APP_TOKEN); /healthz and /metrics stay on --port",
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply the database migrations (serve also does it on start)")

    commands.add_parser(
        "check", help="validate the settings and try the database, Slack and each upstream once"
    )

    summary = commands.add_parser("summary", help="post the daily summary now, or print it with --dry-run")
    summary.add_argument(
        "--date", type=_day, help="the day, YYYY-MM-DD (default: today in STAFFDESK_TIMEZONE)"
    )
    summary.add_argument("--dry-run", action="store_true", help="print a text version instead of posting it")

    sandbox = commands.add_parser(
        "sandbox", help="run local simulators of Wethod, MissionX and Procore and print the settings for them"
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sandbox.add_argument("--wethod-port", type=int, default=8101, help="Wethod simulator port (default 8101)")
    sandbox.add_argument(
        "--missionx-port", type=int, default=8102, help="MissionX simulator port (default 8102)"
    )
    sandbox.add_argument(
        "--procore-port", type=int, default=8103, help="Procore simulator port (default 8103)"
    )
    demo = commands.add_parser(
        "demo", help="try Staffdesk with no account: simulators, the bot and a Slack stand-in in the browser"
    )
    demo.add_argument(
        "--port", type=int, default=8080, help="the page's port on 127.0.0.1 (default 8080; 0: any free port)"
    )
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None


def _settings_or_exit(mode: Mode) -> Settings:
    try:
        return load_settings(mode)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from app import cli
    from app.observability import configure_logging, log_level_for

    configure_logging(log_level_for(args.command))
    if args.command == "serve":
        settings = _settings_or_exit(Mode.SOCKET if args.socket else Mode.HTTP)
        try:
            return asyncio.run(cli.serve(settings, args.host, args.port, socket=args.socket))
        except KeyboardInterrupt:  # Ctrl-C: the server has shut down cleanly, then re-raised the signal
            return 130
    if args.command == "db":
        return asyncio.run(cli.db_upgrade(_settings_or_exit(Mode.DATABASE)))
    if args.command == "check":
        return asyncio.run(cli.check(_settings_or_exit(Mode.CHECK)))
    if args.command == "summary":
        return asyncio.run(cli.summary(_settings_or_exit(Mode.CHECK), args.date, dry_run=args.dry_run))
    if args.command == "sandbox":
        return cli.sandbox(args.host, args.wethod_port, args.missionx_port, args.procore_port)
    if args.command == "demo":
        return cli.demo(args.port)
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
