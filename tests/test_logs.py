"""LOG_FORMAT: text by default, or one JSON object a line, with the workspace being served."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.logs import JsonFormatter, WorkspaceOnRecord, serving_workspace
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import Sandbox
from bot.sandbox.seed import seed_workspace
from bot.sandbox.transport import HttpTransport
from slack_emulator import SlackEmulator, SlackUser

ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_log_format_is_text_unless_json_is_asked_for() -> None:
    assert Settings.from_env(ENV).log_format == "text"
    assert Settings.from_env({**ENV, "LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({**ENV, "LOG_FORMAT": "logfmt", "LOG_LEVEL": "loud"})
    assert "LOG_FORMAT must be text or json" in refused.value.user_message
    assert "LOG_LEVEL" in refused.value.user_message  # every problem at once


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the `bot` loggers write meanwhile, through the JSON handler LOG_FORMAT=json sets."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(WorkspaceOnRecord())
    logger = logging.getLogger("bot")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # In-process dispatch (DispatchTransport) leaves the last request's workspace set in this
    # thread; HTTP mode serves each request in a context of its own (bot.slack.health).
    before = serving_workspace.set(None)
    try:
        yield out
    finally:
        serving_workspace.reset(before)
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_json_line_has_time_level_logger_message_and_the_exception(
    json_lines: io.StringIO,
) -> None:
    log = logging.getLogger("bot.example")
    log.warning('plain %s, "quoted" and ünïcode', "words")
    try:
        raise ValueError("broken")
    except ValueError:
        log.exception("it failed", extra={"team_id": "T0GIVEN"})
    first, second = lines(json_lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "WARNING" and first["logger"] == "bot.example"
    assert first["message"] == 'plain words, "quoted" and ünïcode'
    assert first["time"].endswith("+00:00")
    assert second["team_id"] == "T0GIVEN" and second["level"] == "ERROR"
    assert (
        second["exception"].startswith("Traceback") and "ValueError: broken" in second["exception"]
    )


def test_lines_logged_while_serving_a_workspace_name_it(
    sandbox: Sandbox, json_lines: io.StringIO
) -> None:
    """A guest of a shared channel opens Goodwill's Home: the line saying they have none here
    names the installing workspace, from Bolt's context."""
    sandbox.emulator.add_user(SlackUser(id="U0PAT0001", team_id="T0PARTNER", name="pat"))
    event = {"type": "app_home_opened", "user": "U0PAT0001", "tab": "home", "channel": "D1"}
    envelope = sandbox.driver.event_envelope(event) | {
        "team_id": "T0PARTNER",
        "is_ext_shared_channel": True,
    }
    assert sandbox.driver.send_event(envelope).status == 200
    [line] = [line for line in lines(json_lines) if line["message"].startswith("no Home")]
    assert line["team_id"] == "T0SANDBOX"
    assert line["message"] == "no Home for U0PAT0001 in T0SANDBOX"


@pytest.mark.slow
def test_serve_with_log_format_json_writes_only_json_lines(tmp_path: Path) -> None:
    """`python -m bot serve` under gunicorn: its own lines, Goodwill's and the access log."""
    emulator = SlackEmulator()
    seed_workspace(emulator)
    emulator.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env={
            **clean,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
            "SLACK_API_URL": emulator.api_url,
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": "serve-test-secret",
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "SCHEDULER_ENABLED": "false",
            "LOG_FORMAT": "json",
        },
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as ready:
            assert ready.status == 200
        url = f"http://127.0.0.1:{port}/slack/events"
        driver = SlackDriver(emulator, "serve-test-secret", HttpTransport(url, timeout=5))
        delivery, _ = driver.slash_command("U0ALICE01", "/thanks", "<@U0BOB0002> x", "C0GENERAL")
        assert delivery.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
        emulator.stop()
    assert server.returncode == 0, output
    logged = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line["logger"] == "bot.runtime" for line in logged), output
    access = [line for line in logged if line["logger"] == "gunicorn.access"]
    paths = {
        (line["http"]["method"], line["http"]["path"], line["http"]["status"]) for line in access
    }
    assert {("GET", "/readyz", "200"), ("POST", "/slack/events", "200")} <= paths, output


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False
