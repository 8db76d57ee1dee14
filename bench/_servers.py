"""The two servers under test, each a gunicorn subprocess on a loopback socket the bench bound.

Run by the bench, not by hand: `python -m bench._servers {baseline,goodwill} ...`. Both kinds
go through `bot.web.GunicornServer` with the same options and `bot.web.wsgi_app`, so they differ
only in the Bolt app behind the adapter:

- baseline: a bare Bolt app whose listeners (`/thanks`, `reaction_added`) only ack;
- goodwill: the real app, built in each worker by `bot.runtime.http_app` as `python -m bot serve`
  builds it, against the bench's scratch database and the Slack emulator;
- floor-row, floor-credit, floor-rules (`--floor`): the bare app recording each request
  before it answers, and nothing else (`floor_app`): what any app that records first must
  spend, step by step up to goodwill's own statement.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import signal
import socket
import subprocess
import sys
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
    """Worker settings, identical for both servers."""

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


def baseline_app(config: AppConfig) -> Any:
    from bot.web import wsgi_app

    client = WebClient(token=config.bot_token, base_url=config.api_url)
    # The client holds the token; passing token= as well only makes Bolt log a warning.
    app = App(signing_secret=config.signing_secret, client=client, process_before_response=True)
    app.command("/thanks")(_ack_only)
    app.event("reaction_added")(_nothing)
    return wsgi_app(app)


FLOOR_TABLE = "bench_floor"
# What each floor writes for a request, from the least to goodwill's own statement.
FLOORS = ("row", "credit", "rules")
# The workspace each floor that writes credits records them in: a copy of the bench's, so
# that its credits count neither against goodwill's daily caps nor against each other's.
FLOOR_TEAMS = {"credit": "TFLOORCREDIT", "rules": "TFLOORRULES"}
_THANKED = re.compile(r"<@(U[A-Z0-9]+)")


def floor_app(kind: str, config: AppConfig) -> Any:
    """A bare Bolt app that records each request before it answers, and does nothing else.

    row: one row of one column; credit: the credit goodwill would record, every column and
    every index of `credits`, with none of the rules; rules: goodwill's own one-statement path
    (bot.statements), rules and giver's lock included. A reaction's reactor is then told, as
    goodwill tells them. What goodwill costs beyond `rules` is its app: parsing, checks,
    middleware, listeners, the reply.
    """
    import psycopg
    from psycopg.types.json import Json
    from sqlalchemy import make_url

    from bot.app import make_client
    from bot.db import make_engine
    from bot.services.ledger import NewCredit, credit_row, record_plainly_fair
    from bot.services.reaction_events import reaction_from_event
    from bot.services.reactions_at_once import react_at_once
    from bot.statements import Statements
    from bot.web import wsgi_app

    url = make_url(config.database_url).set(drivername="postgresql")
    statements = Statements(make_engine(config.database_url))
    connection = None
    if kind != "rules":
        connection = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    team = FLOOR_TEAMS.get(kind, "")
    # The credit row as goodwill writes it (ledger.credit_row), every column named.
    names = list(credit_row(team, NewCredit("", "", "thanks", ""), datetime.now(UTC)))
    placeholders = ", ".join(f"%({name})s" for name in names)
    insert_credit = f"INSERT INTO credits ({', '.join(names)}) VALUES ({placeholders})"
    insert_row = f"INSERT INTO {FLOOR_TABLE} (key) VALUES (%s)"
    client = make_client(config.bot_token, config.api_url)
    app = App(signing_secret=config.signing_secret, client=client, process_before_response=True)

    def record(credit: NewCredit) -> None:
        now = datetime.now(UTC)
        if kind == "rules":
            with statements.connect() as run:
                if not record_plainly_fair(run, team, [credit], now):
                    raise RuntimeError("the rules refused a floor credit")
            return
        assert connection is not None
        if kind == "row":
            connection.execute(insert_row, (credit.source_key,))
        else:
            row = credit_row(team, credit, now)
            connection.execute(insert_credit, {**row, "values": Json(row["values"])})

    @app.command("/thanks")
    def record_and_answer(ack: Ack, command: dict[str, Any]) -> None:
        text = command["text"]
        mention = _THANKED.search(text)
        assert mention is not None
        helper, reason = mention.group(1), text[mention.end() :]
        key = f"thanks:{team}:{command['trigger_id']}:{helper}"
        record(NewCredit(helper, command["user_id"], "thanks", key, reason=reason, quotable=True))
        ack(response_type="in_channel", text=f"Thanks recorded: {text}")

    @app.event("reaction_added")
    def record_and_tell(body: dict[str, Any], event: dict[str, Any]) -> None:
        reaction = reaction_from_event(team or body["team_id"], body["event_id"], event)
        assert reaction is not None
        if kind == "rules":
            with statements.connect() as run:
                outcome = react_at_once(run, datetime.now(UTC), reaction)
            if outcome is None or not outcome.credited:
                raise RuntimeError("the rules refused a floor credit")
        else:
            credit = NewCredit(
                reaction.author_id,
                reaction.reactor_id,
                "reaction",
                reaction.source_key,
                channel_id=reaction.channel_id,
                message_ts=reaction.message_ts,
            )
            record(credit)
        client.chat_postEphemeral(
            channel=reaction.channel_id, user=reaction.reactor_id, text="Your thanks counted."
        )

    return wsgi_app(app)


def goodwill_app(config: AppConfig) -> Any:
    from bot.runtime import http_app
    from bot.settings import Settings

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
    "baseline": baseline_app,
    "goodwill": goodwill_app,
    **{f"floor-{kind}": functools.partial(floor_app, kind) for kind in FLOORS},
}


def main(argv: list[str] | None = None) -> None:
    from bot.web import GunicornServer

    parser = argparse.ArgumentParser(prog="python -m bench._servers")
    parser.add_argument("kind", choices=tuple(BUILDERS))
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--ready-dir", type=Path, required=True)
    parser.add_argument("--worker-class", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    for name in ("--api-url", "--bot-token", "--signing-secret", "--database-url"):
        parser.add_argument(name, required=True)
    args = parser.parse_args(argv)
    config = AppConfig(args.api_url, args.bot_token, args.signing_secret, args.database_url)
    settings = GunicornSettings(args.worker_class, args.workers, args.threads)
    build = BUILDERS[args.kind]
    ready_dir: Path = args.ready_dir

    def announce_ready(worker: Any) -> None:
        (ready_dir / str(worker.pid)).touch()

    options = {
        **settings.options(),
        "bind": [f"fd://{args.fd}"],
        "proc_name": f"goodwill-bench-{args.kind}",
        "post_worker_init": announce_ready,
    }
    GunicornServer(lambda: build(config), options).run()


if __name__ == "__main__":
    main()
