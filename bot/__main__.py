"""Goodwill's entry point: `python -m bot [run|serve|migrate|sandbox]` (or `goodwill ...`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from dotenv import load_dotenv

from bot.config import RunMode, Settings
from bot.errors import ConfigError, StartupError
from bot.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goodwill", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "run",
        help="start in the mode the environment sets up (the default): Socket Mode, "
        "HTTP, or the sandbox when no Slack credentials are set",
    )
    commands.add_parser(
        "serve", help="HTTP mode under gunicorn (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    commands.add_parser(
        "worker", help="only the scheduler (digest, nudges, prompts), beside web processes"
    )
    tick = commands.add_parser("tick", help="run one scheduler tick as if at --at, and send")
    tick.add_argument("--at", type=_instant, required=True, help="e.g. 2026-11-30T09:05:00Z")
    digest = commands.add_parser("digest", help="show a workspace's weekly digest")
    digest.add_argument(
        "--team", help="the workspace's team ID, T… (the sandbox's when no credentials are set)"
    )
    digest.add_argument(
        "--dry-run", action="store_true", required=True, help="print it; post nothing"
    )
    digest.add_argument("--at", type=_instant, help="as if at this instant (default: now)")
    sandbox = commands.add_parser("sandbox", help="the emulated workspace, no Slack needed")
    sandbox.add_argument("--script", type=Path, help="play this file's lines, then exit")
    sandbox.add_argument(
        "--reset", action="store_true", help="start over: remove the sandbox's data first"
    )
    return parser


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}Z for UTC")
    return value.astimezone(UTC)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(Path.cwd() / ".env")
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        print(error.user_message, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if settings.log_level != "DEBUG":
        # Alembic narrates every start-up at INFO; only problems are worth showing.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return _run(args, settings)
    except StartupError as error:
        print(error.user_message, file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operations, runtime

    command = args.command or "run"
    if command == "migrate":
        from bot.db import migrate

        migrate(settings.database_url)
        print("The database is up to date.")
    elif command == "serve":
        if settings.mode is RunMode.SOCKET:
            print(
                "`serve` answers Slack over HTTP, but SLACK_APP_TOKEN is set, which means "
                "Socket Mode. Unset SLACK_APP_TOKEN to serve over HTTP, or run `python -m bot` "
                "to connect in Socket Mode.",
                file=sys.stderr,
            )
            return 2
        if settings.mode not in (RunMode.HTTP, RunMode.OAUTH):
            print(
                "`serve` needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (one workspace), or "
                "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (installs).",
                file=sys.stderr,
            )
            return 2
        runtime.serve_http(settings)
    elif command == "worker":
        if settings.mode not in (RunMode.HTTP, RunMode.OAUTH, RunMode.SOCKET):
            print(
                "`worker` needs Slack credentials (SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET) to send messages.",
                file=sys.stderr,
            )
            return 2
        runtime.run_worker(settings)
    elif command == "tick":
        operations.tick_once(settings, args.at)
    elif command == "digest":
        return operations.print_digest(settings, args.team, args.at or datetime.now(UTC))
    elif command == "sandbox":
        if args.reset:
            from bot.sandbox.lifecycle import start_over

            print(start_over(settings.sandbox_database_url))
        runtime.run_sandbox(settings, args.script)
    else:
        runtime.run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
