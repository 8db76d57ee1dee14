"""The servers under test, each a gunicorn subprocess on a loopback socket the bench bound.

Run by the bench, not by hand: `python -m bench._servers {ack,floor,goodwill} ...`. All go
through `bot.slack.web.GunicornServer` with the same options and `bot.slack.web.wsgi_app`, so
they differ only in the Bolt app behind the adapter:

- ack: a bare Bolt app whose listeners (`/thanks`, `reaction_added`) only ack: what Bolt,
  gunicorn, the kernel and the load's client cost on their own;
- floor: the durable floor, the bare Bolt app recording each request durably before it
  answers, and nothing else (`floor_app`): the least any app that records first must spend,
  and the baseline of the goals;
- goodwill: the real app, built in each worker by `bot.runtime.http_app` as `python -m bot
  serve` builds it, against the bench's scratch database and the Slack emulator.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

REPO_ROOT = Path(__file__).resolve().parent.parent
# Dropped from the servers' environment so that the settings printed are the settings run.
_GUNICORN_ENV = ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")


@dataclass(frozen=True)
class GunicornSettings:
    """Worker settings, identical for every server."""

    worker_class: str
    workers: int
    threads: int

    def options(self) -> dict[str, Any]:
        return {
            "worker_class": self.worker_class,
            "workers": self.workers,
            "threads": self.threads,
            "keepalive": 2,
            "backlog": 2048,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            # Two gunicorns would otherwise share ~/.gunicorn/gunicorn.ctl.
            "control_socket_disable": True,
        }

    def describe(self) -> str:
        options = self.options()
        shown = ("worker_class", "workers", "threads", "keepalive", "backlog")
        text = ", ".join(f"{name}={options[name]}" for name in shown)
        return f"{text}, accesslog off, preload off, app built in each worker after fork"


@dataclass(frozen=True)
class AppConfig:
    """What a server's workers need to build their app."""

    api_url: str
    bot_token: str
    signing_secret: str
    database_url: str
    # Whether the floor tells a reactor their reaction counted, as goodwill does unless the
    # members turned it off.
    confirmations: bool = True


def application_name(kind: str) -> str:
    """What a server's database connections call themselves (bench._workspace.url_for)."""
    return f"goodwill-bench-{kind}"


class BenchServer:
    """Starts one kind of server, waits until every worker has built its app, stops it."""

    def __init__(
        self, kind: str, settings: GunicornSettings, config: AppConfig, workdir: Path
    ) -> None:
        self.kind = kind
        self.settings = settings
        self.config = config
        self.ready_dir = workdir / f"{kind}-ready"
        self.log_path = workdir / f"{kind}.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> BenchServer:
        self.ready_dir.mkdir(parents=True)
        # The bench binds the socket and hands it over (gunicorn's fd:// bind): no race for a
        # free port between picking it and gunicorn binding it.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(2048)
        self.port = listener.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "bench._servers",
            self.kind,
            f"--fd={listener.fileno()}",
            f"--ready-dir={self.ready_dir}",
            f"--worker-class={self.settings.worker_class}",
            f"--workers={self.settings.workers}",
            f"--threads={self.settings.threads}",
            f"--api-url={self.config.api_url}",
            f"--bot-token={self.config.bot_token}",
            f"--signing-secret={self.config.signing_secret}",
            f"--database-url={self.config.database_url}",
            f"--confirmations={'on' if self.config.confirmations else 'off'}",
        ]
        env = {name: value for name, value in os.environ.items() if name not in _GUNICORN_ENV}
        with listener, self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                pass_fds=(listener.fileno(),),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready(timeout)
        return self

    @property
    def worker_pids(self) -> list[int]:
        return sorted(int(path.name) for path in self.ready_dir.iterdir())

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while len(self.worker_pids) < self.settings.workers:
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the {self.kind} server did not start:\n{log}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# -- inside the server subprocess --------------------------------------------------------------


def _ack_only(ack: Ack) -> None:
    ack()


def _nothing() -> None:
    """An event listener that does nothing: Bolt acks the event itself."""


def ack_app(config: AppConfig) -> Any:
    from bot.slack.web import wsgi_app

    client = WebClient(token=config.bot_token, base_url=config.api_url)
    # The client holds the token; passing token= as well only makes Bolt log a warning.
    app = App(signing_secret=config.signing_secret, client=client, process_before_response=True)
    app.command("/thanks")(_ack_only)
    app.event("reaction_added")(_nothing)
    return wsgi_app(app)


# The floor's table, created by the bench in its scratch database: a primary key that makes
# the insert idempotent (a retried request writes nothing twice), and two secondary indexes,
# each person's credits by time, given and received, as any ledger needs to answer "how
# much did I give, how much did I get". Committed with PostgreSQL's defaults
# (synchronous_commit on): each answer waits for its row to be on disk.
FLOOR_TABLE = "bench_floor"
FLOOR_SCHEMA = (
    f"CREATE TABLE {FLOOR_TABLE} (key text PRIMARY KEY, team text NOT NULL,"
    " giver text NOT NULL, receiver text NOT NULL, created_at timestamptz NOT NULL)",
    f"CREATE INDEX ix_{FLOOR_TABLE}_giver ON {FLOOR_TABLE} (team, giver, created_at)",
    f"CREATE INDEX ix_{FLOOR_TABLE}_receiver ON {FLOOR_TABLE} (team, receiver, created_at)",
)
_RECORD = (
    f"INSERT INTO {FLOOR_TABLE} (key, team, giver, receiver, created_at)"
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING"
)
_THANKED = re.compile(r"<@(U[A-Z0-9]+)")


def floor_app(config: AppConfig) -> Any:
    """The durable floor: a bare Bolt app that records each request before it answers, and
    does nothing else, then tells a reactor their reaction counted, with goodwill's note.

    Each request is one idempotent autocommit INSERT into FLOOR_TABLE. It goes through
    psycopg directly, on a connection each worker thread opens once and keeps, rather than
    through SQLAlchemy: a pool's checkout and checkin and SQLAlchemy's Connection and result
    would add Python work to every request that recording does not need, and the floor is
    meant as the least an app that records first must spend. Its Slack client is goodwill's
    (bot.slack.app.make_client, kept-alive connections), so that a confirmation costs both the same.
    """
    import psycopg
    from sqlalchemy import make_url

    from bot.reactions.blocks import reaction_confirmation
    from bot.slack.app import make_client
    from bot.slack.web import wsgi_app

    url = make_url(config.database_url).set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    connections = threading.local()

    def record(key: str, team: str, giver: str, receiver: str) -> None:
        connection = getattr(connections, "connection", None)
        if connection is None:
            connection = connections.connection = psycopg.connect(conninfo, autocommit=True)
        connection.execute(_RECORD, (key, team, giver, receiver, datetime.now(UTC)))

    client = make_client(config.bot_token, config.api_url)
    app = App(signing_secret=config.signing_secret, client=client, process_before_response=True)

    @app.command("/thanks")
    def record_and_answer(ack: Ack, command: dict[str, Any]) -> None:
        text, team, giver = command["text"], command["team_id"], command["user_id"]
        mention = _THANKED.search(text)
        assert mention is not None
        receiver = mention.group(1)
        record(f"thanks:{team}:{command['trigger_id']}:{receiver}", team, giver, receiver)
        ack(response_type="in_channel", text=f"Thanks recorded: {text}")

    @app.event("reaction_added")
    def record_and_tell(body: dict[str, Any], event: dict[str, Any]) -> None:
        team, reactor, item = body["team_id"], event["user"], event["item"]
        key = f"reaction:{team}:{item['channel']}:{item['ts']}:{reactor}:{event['reaction']}"
        record(key, team, reactor, event["item_user"])
        if config.confirmations:
            # Goodwill's own note, so that Slack's side (the emulator, on this machine too)
            # has the same message to check for both.
            note = reaction_confirmation(event["item_user"])
            client.chat_postEphemeral(channel=item["channel"], user=reactor, **note)

    return wsgi_app(app)


def goodwill_app(config: AppConfig) -> Any:
    from bot.config import Settings
    from bot.runtime import http_app

    # Read as `python -m bot serve` reads its environment, so every other setting (the
    # scheduler running in each worker, the pseudonym key, ...) has its production default.
    settings = Settings.from_env(
        {
            "DATABASE_URL": config.database_url,
            "SLACK_API_URL": config.api_url,
            "SLACK_BOT_TOKEN": config.bot_token,
            "SLACK_SIGNING_SECRET": config.signing_secret,
        }
    )
    return http_app(settings)


BUILDERS: dict[str, Callable[[AppConfig], Any]] = {
    "ack": ack_app,
    "floor": floor_app,
    "goodwill": goodwill_app,
}


def main(argv: list[str] | None = None) -> None:
    from bot.slack.web import GunicornServer

    parser = argparse.ArgumentParser(prog="python -m bench._servers")
    parser.add_argument("kind", choices=tuple(BUILDERS))
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--ready-dir", type=Path, required=True)
    parser.add_argument("--worker-class", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    for name in ("--api-url", "--bot-token", "--signing-secret", "--database-url"):
        parser.add_argument(name, required=True)
    parser.add_argument("--confirmations", choices=("on", "off"), required=True)
    args = parser.parse_args(argv)
    config = AppConfig(
        args.api_url,
        args.bot_token,
        args.signing_secret,
        args.database_url,
        confirmations=args.confirmations == "on",
    )
    settings = GunicornSettings(args.worker_class, args.workers, args.threads)
    build = BUILDERS[args.kind]
    ready_dir: Path = args.ready_dir

    def announce_ready(worker: Any) -> None:
        (ready_dir / str(worker.pid)).touch()

    options = {
        **settings.options(),
        "bind": [f"fd://{args.fd}"],
        "proc_name": application_name(args.kind),
        "post_worker_init": announce_ready,
    }
    GunicornServer(lambda: build(config), options).run()


if __name__ == "__main__":
    main()
