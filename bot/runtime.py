"""Starting Goodwill in each run mode. Called by the entry point with settings already read."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_app, make_client
from bot.db import make_engine, make_session_factory, migrate
from bot.deps import Deps
from bot.settings import RunMode, Settings
from bot.slack_api import sync_workspace
from bot.web import GunicornServer, WsgiApp, wsgi_app

log = logging.getLogger(__name__)


def run_socket_mode(settings: Settings) -> None:
    migrate(settings.database_url)
    deps = Deps(make_session_factory(make_engine(settings.database_url)))
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    sync_workspace(client, deps.sessions, deps.clock)
    app = build_app(deps, client=client, signing_secret=None)
    log.info("Goodwill is connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]


def serve_http(settings: Settings) -> None:
    migrate(settings.database_url)
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    engine = make_engine(settings.database_url)
    try:
        deps = Deps(make_session_factory(engine))
        sync_workspace(client, deps.sessions, deps.clock)
    finally:
        engine.dispose()  # each worker opens its own connections after the fork
    log.info("Goodwill is serving Slack requests at http://0.0.0.0:%d/slack/events", settings.port)
    options = {"bind": f"0.0.0.0:{settings.port}", "accesslog": "-", "loglevel": "warning"}
    GunicornServer(lambda: http_app(settings), options).run()


def http_app(settings: Settings) -> WsgiApp:
    """The WSGI app for HTTP mode, built in each gunicorn worker."""
    deps = Deps(make_session_factory(make_engine(settings.database_url)))
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    app = build_app(deps, client=client, signing_secret=settings.slack_signing_secret)
    return wsgi_app(app)


def run_sandbox(settings: Settings, script: Path | None = None, out: TextIO = sys.stdout) -> None:
    from bot.sandbox.harness import Sandbox
    from bot.sandbox.repl import run_shell

    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with Sandbox(make_session_factory(engine)) as sandbox:
            if script is None:
                print(
                    "Goodwill sandbox: no Slack credentials are set, so this is an emulated "
                    f"workspace (data in {settings.database_url}). See README.md to connect "
                    "a real one.\n",
                    file=out,
                )
                run_shell(sandbox, sys.stdin, out, echo=False)
            else:
                with script.open(encoding="utf-8") as source:
                    run_shell(sandbox, source, out, echo=True)
    finally:
        engine.dispose()


def run(settings: Settings) -> None:
    """What `python -m bot` does: the mode the environment asks for."""
    if settings.mode is RunMode.SOCKET:
        run_socket_mode(settings)
    elif settings.mode is RunMode.HTTP:
        serve_http(settings)
    else:
        run_sandbox(settings)
