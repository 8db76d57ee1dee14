"""The entry point: configuration errors, migrations, and the sandbox on a closed stdin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.db import make_engine
from bot.sandbox.driver import SlackDriver
from bot.sandbox.seed import seed_workspace
from bot.sandbox.transport import HttpTransport
from bot.scheduler.lease import HostLease, lock_path
from slack_emulator import SlackEmulator


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    clean.pop("SANDBOX_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _run(tmp_path, "migrate", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    try:
        assert {"workspaces", "members", "credits", "processed_events"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_configuration_problems_are_listed_and_stop_the_start(tmp_path: Path) -> None:
    result = _run(tmp_path, "migrate", SLACK_BOT_TOKEN="xoxp-wrong", PORT="none")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN must be a bot token" in result.stderr
    assert "PORT must be a TCP port number" in result.stderr


def test_dotenv_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=only-half-of-http-mode\n")
    result = _run(tmp_path, "migrate")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is required with SLACK_SIGNING_SECRET" in result.stderr


def test_serve_refuses_without_http_credentials(tmp_path: Path) -> None:
    result = _run(tmp_path, "serve")
    assert result.returncode == 2
    assert "needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in result.stderr


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`serve` in HTTP mode with made-up credentials, on a SQLite file of its own."""
    one_workspace = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
        "SLACK_SIGNING_SECRET": "secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    return _run(tmp_path, "serve", **{**one_workspace, **env})


def test_serve_with_an_app_token_says_that_it_means_socket_mode(tmp_path: Path) -> None:
    result = _serve(tmp_path, SLACK_APP_TOKEN="xapp-1-A1-2-abc")
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is set, which means Socket Mode" in result.stderr
    assert "needs SLACK_BOT_TOKEN" not in result.stderr


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the probe is


def test_slack_out_of_reach_at_start_up_is_said_plainly(tmp_path: Path) -> None:
    result = _serve(tmp_path, SLACK_API_URL=f"http://127.0.0.1:{_closed_port()}/api/")
    assert result.returncode == 1
    assert "Goodwill could not reach Slack at http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_slack_refuses_at_start_up_is_said_plainly(tmp_path: Path) -> None:
    with SlackEmulator() as emulator:
        result = _serve(tmp_path, SLACK_API_URL=emulator.api_url)  # not the emulator's token
    assert result.returncode == 1
    assert "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_credentials_opens_the_sandbox_and_exits_at_end_of_input(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Goodwill sandbox" in result.stdout
    # Its emulated workspace has a database of its own, never the real workspace's.
    assert (tmp_path / "goodwill-sandbox.db").exists()
    assert not (tmp_path / "goodwill.db").exists()


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_that_answer_signed_requests(tmp_path: Path) -> None:
    """`python -m bot serve`, as the Procfile's web process runs it, against the emulator: its
    workers answer, and one of them takes the scheduler's lease."""
    emulator = SlackEmulator()
    seed_workspace(emulator)
    emulator.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env={
            **clean,
            "DATABASE_URL": database_url,
            "SLACK_API_URL": emulator.api_url,
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": "serve-test-secret",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
        },
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        driver = SlackDriver(emulator, "serve-test-secret", HttpTransport(url, timeout=5))
        deadline = time.monotonic() + 60
        while len(_children(server.pid)) < 2 or not _accepts(port):
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        delivery, shown = driver.slash_command(
            "U0ALICE01", "/thanks", "<@U0BOB0002> for the deploy", "C0GENERAL"
        )
        assert (delivery.status, delivery.body, shown) == (200, "", None)  # thanked
        # The thanks follow the answer, posted by the worker that answered.
        while not any("thank you from <@U0ALICE01>" in m.text for m in emulator.messages()):
            assert time.monotonic() < deadline, "the thanks were not posted"
            time.sleep(0.05)
        assert len(_children(server.pid)) == 2
        lease = HostLease(lock_path(database_url))
        while lease.held():  # not yet taken by a worker's first tick
            lease.release()
            assert time.monotonic() < deadline, "no worker took the scheduler's lease"
            time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
        emulator.stop()
    assert server.returncode == 0, output


def _children(pid: int) -> list[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
