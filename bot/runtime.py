"""Starting Goodwill in each run mode. Called by the entry point with settings already read."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import RunMode, Settings
from bot.db import make_engine, make_session_factory, migrate
from bot.deps import Deps, utc_now
from bot.errors import StartupError
from bot.logs import JsonGunicornLogger
from bot.scheduler.jobs import run_blocking, start_in_background
from bot.scheduler.lease import Lease, lease_for
from bot.scheduler.pace import SharedPace
from bot.scheduler.sender import Pacer, Sender
from bot.slack.api import sync_workspace
from bot.slack.app import build_app, build_oauth_app, make_client
from bot.slack.health import Readiness, with_health_checks
from bot.slack.installations import InstalledClients, installation_store, state_store
from bot.slack.socket_mode import SocketModeRunner
from bot.slack.web import GunicornServer, WsgiApp, wsgi_app

log = logging.getLogger(__name__)


def deps_for(settings: Settings, engine: Engine | None = None, **extra: Any) -> Deps:
    engine = engine or make_engine(settings.database_url)
    key = settings.pseudonym_key
    if key is None:  # the sandbox: nothing real to protect
        return Deps(make_session_factory(engine), **extra)
    return Deps(make_session_factory(engine), pseudonym_key=key.encode(), **extra)


def sender_for(
    settings: Settings,
    deps: Deps,
    client: WebClient | None = None,
    lease: Lease | None = None,
    engine: Engine | None = None,
) -> Sender:
    """The scheduler's sender, at SLACK_MESSAGES_PER_SECOND a workspace shared by every
    process. It sends with `client` (one workspace's); without one, in OAuth mode, with each
    workspace's own token from the installation store (on `engine`), else SLACK_BOT_TOKEN's."""
    client_for: Callable[[str], WebClient]
    if client is not None:
        client_for = lambda _team_id: client  # noqa: E731
    elif settings.mode is RunMode.OAUTH:
        assert settings.slack_client_id and settings.slack_client_secret and engine is not None
        client_for = InstalledClients(
            installation_store(settings.slack_client_id, engine),
            settings.slack_client_id,
            settings.slack_client_secret,
            lambda token: make_client(token, settings.slack_api_url),
        )
    else:
        one = make_client(settings.slack_bot_token, settings.slack_api_url)
        client_for = lambda _team_id: one  # noqa: E731
    pacer = Pacer(settings.messages_per_second, shared=SharedPace(deps.sessions))
    return Sender(
        deps.sessions, client_for, deps.clock, pacer, threads=settings.sender_threads, lease=lease
    )


def _start_scheduler(
    settings: Settings, deps: Deps, client: WebClient | None, engine: Engine | None = None
) -> None:
    """The scheduler in the background; its jobs run while this process leads (lease_for)."""
    lease = lease_for(settings.database_url)
    sender = sender_for(settings, deps, client, lease, engine)
    start_in_background(deps.sessions, sender, deps.clock, lease)


def run_socket_mode(settings: Settings) -> None:
    migrate(settings.database_url)
    deps = deps_for(settings)
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    _first_sync(client, deps.sessions, deps.clock, settings.slack_api_url)
    app = build_app(deps, client=client, signing_secret=None)
    if settings.scheduler_enabled:
        _start_scheduler(settings, deps, client)
    assert settings.slack_app_token
    log.info("Goodwill is connecting to Slack in Socket Mode")
    runner = SocketModeRunner(app, settings.slack_app_token)
    # A stop (SIGTERM from systemd, Docker or a platform) lets requests in progress finish.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: runner.stop())
    runner.run()
    log.info("Goodwill stopped")


def serve_http(settings: Settings) -> None:
    migrate(settings.database_url)
    if settings.mode is RunMode.OAUTH:
        log.info(
            "Goodwill is serving Slack requests at /slack/events; installs start at "
            "/slack/install (port %d)",
            settings.port,
        )
        load = lambda: oauth_app(settings)  # noqa: E731
    else:
        client = make_client(settings.slack_bot_token, settings.slack_api_url)
        engine = make_engine(settings.database_url)
        try:
            _first_sync(client, make_session_factory(engine), utc_now, settings.slack_api_url)
        finally:
            engine.dispose()  # each worker opens its own connections after the fork
        log.info("Goodwill is serving Slack requests at /slack/events (port %d)", settings.port)
        load = lambda: http_app(settings)  # noqa: E731
    options = {
        "bind": f"0.0.0.0:{settings.port}",
        "workers": settings.web_workers or web_workers(),
        "accesslog": "-",
        "loglevel": "warning",
        # Nothing uses gunicorn's control socket, and two servers on one host would share its
        # default path.
        "control_socket_disable": True,
    }
    if settings.log_format == "json":
        options["logger_class"] = JsonGunicornLogger
    GunicornServer(load, options).run()


# What Slack answers for a bot token it will not take.
_BAD_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


def _first_sync(
    client: WebClient,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    api_url: str,
) -> None:
    """The workspace synced at start-up, or a StartupError that says what to check."""
    try:
        sync_workspace(client, sessions, clock)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in _BAD_TOKEN:
            raise StartupError(
                f"Slack did not accept SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token "
                "(xoxb-…) again from the app's OAuth & Permissions page, and check that the "
                "app is installed in the workspace."
            ) from error
        raise StartupError(f"Slack refused Goodwill's first call at start-up ({code}).") from error
    except OSError as error:
        raise StartupError(
            f"Goodwill could not reach Slack at {api_url} to start ({error}). Check the "
            "network (and SLACK_API_URL, if set), then start it again."
        ) from error


def web_workers() -> int:
    """Sync workers for HTTP mode: one per core, plus one to run while another waits on the
    database (3 had the best tail latency on 2 cores: docs/BENCHMARKS.md)."""
    return (os.cpu_count() or 1) + 1


def http_app(settings: Settings) -> WsgiApp:
    """The WSGI app for HTTP mode, built in each gunicorn worker.

    Each worker starts the scheduler when it is enabled, and the one holding the lease
    (bot.scheduler.lease) runs its jobs: one leader, whatever the number of workers and hosts.
    """
    deps = deps_for(settings)
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    app = build_app(deps, client=client, signing_secret=settings.slack_signing_secret)
    if settings.scheduler_enabled:
        _start_scheduler(settings, deps, client)
    return wsgi_for(app, settings)


def wsgi_for(app: App, settings: Settings) -> WsgiApp:
    """Slack's requests at /slack/events, and /healthz and /readyz beside them."""
    return with_health_checks(wsgi_app(app), Readiness.of(settings.database_url))


def oauth_app(settings: Settings) -> WsgiApp:
    """The WSGI app for multi-workspace installs, built in each gunicorn worker."""
    assert settings.slack_client_id and settings.slack_client_secret
    assert settings.slack_signing_secret
    engine = make_engine(settings.database_url)
    store = installation_store(settings.slack_client_id, engine)
    deps = deps_for(settings, engine, installations=store)

    def on_installed(installation: Installation) -> None:
        # The new workspace's row and its members, before anyone types a command there.
        client = make_client(installation.bot_token, settings.slack_api_url)
        sync_workspace(client, deps.sessions, deps.clock)

    app = build_oauth_app(
        deps,
        api_url=settings.slack_api_url,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        signing_secret=settings.slack_signing_secret,
        installations=store,
        states=state_store(engine),
        redirect_uri=settings.slack_redirect_uri,
        on_installed=on_installed,
    )
    if settings.scheduler_enabled:
        _start_scheduler(settings, deps, None, engine)
    return wsgi_for(app, settings)


def run_worker(settings: Settings) -> None:
    """Only the scheduler: the Procfile's `worker` beside web processes. Any number of them,
    on any number of hosts, may run: the one that leads (bot.scheduler.lease) runs the jobs,
    and another takes over when it stops."""
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    deps = deps_for(settings, engine)
    lease = lease_for(settings.database_url)
    sender = sender_for(settings, deps, lease=lease, engine=engine)
    run_blocking(deps.sessions, sender, deps.clock, lease)


def run_sandbox(settings: Settings, script: Path | None = None, out: TextIO = sys.stdout) -> None:
    from bot.sandbox.harness import Sandbox
    from bot.sandbox.repl import run_shell

    migrate(settings.sandbox_database_url)
    engine = make_engine(settings.sandbox_database_url)
    try:
        with Sandbox(make_session_factory(engine)) as sandbox:
            if script is None:
                print(
                    "Goodwill sandbox: no Slack credentials are set, so this is an emulated "
                    f"workspace (data in {settings.sandbox_database_url}, apart from a real "
                    "workspace's). See README.md to connect a real one.\n",
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
    elif settings.mode in (RunMode.HTTP, RunMode.OAUTH):
        serve_http(settings)
    else:
        run_sandbox(settings)
