"""The entry point: configuration errors, migrations, and the sandbox on a closed stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from bot.db import make_engine


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
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


def test_run_without_credentials_opens_the_sandbox_and_exits_at_end_of_input(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Goodwill sandbox" in result.stdout
    assert (tmp_path / "goodwill.db").exists()
