"""Configuration, read once from the environment by the entry point into a frozen object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.errors import ConfigError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///goodwill.db"
# The sandbox's emulated workspace never shares the real one's database: its seeded people
# and credits would otherwise sit beside a real workspace's, and be planned digests for.
DEFAULT_SANDBOX_DATABASE_URL = "sqlite:///goodwill-sandbox.db"
# At 100 messages a second (the most SLACK_MESSAGES_PER_SECOND allows) and a Web API call
# to Slack across the internet, fewer than 16 calls are in flight: more threads would only
# wait.
MAX_SENDER_THREADS = 16
# How log lines are written (bot.logs): for people reading a terminal, or for log pipelines.
LOG_FORMATS = ("text", "json")


class RunMode(Enum):
    SOCKET = "socket"
    HTTP = "http"
    OAUTH = "oauth"  # HTTP, installable in many workspaces
    SANDBOX = "sandbox"


def database_url_of(raw: str | None, default: str = DEFAULT_DATABASE_URL) -> str:
    """DATABASE_URL as SQLAlchemy takes it, the SQLite file by default.

    Hosting platforms hand out postgres:// URLs; psycopg 3 is the driver installed.
    """
    url = raw or default
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    sandbox_database_url: str = DEFAULT_SANDBOX_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # Where Slack sends people back after they approve an install (the app's Redirect URL).
    slack_redirect_uri: str | None = None
    port: int = 3000
    # gunicorn's worker processes in HTTP mode (WEB_CONCURRENCY); None: one per core, plus one.
    web_workers: int | None = None
    log_level: str = "INFO"
    log_format: str = "text"  # one of LOG_FORMATS
    # The scheduler (digest, nudges, prompts) runs inside the bot's process unless turned off
    # for deployments that run `python -m bot worker` separately.
    scheduler_enabled: bool = True
    # The sender's pace for scheduled messages, across all channels.
    messages_per_second: float = 5.0
    # How many scheduled messages the sender has in flight at once (one a thread): a crash
    # leaves at most this many uncertain. One keeps the pace while the pace's interval is
    # longer than one Web API round trip to Slack (README.md, SLACK_SENDER_THREADS).
    sender_threads: int = 1
    # Turns forgotten members' IDs into pseudonyms (/favor forget-me); must never change.
    pseudonym_key: str | None = None

    @property
    def mode(self) -> RunMode:
        if self.slack_client_id:
            return RunMode.OAUTH
        if self.slack_app_token:
            return RunMode.SOCKET
        if self.slack_bot_token:
            return RunMode.HTTP
        return RunMode.SANDBOX

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from `env`, listing every missing or invalid variable at once."""
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        signing_secret = get("SLACK_SIGNING_SECRET")
        app_token = get("SLACK_APP_TOKEN")

        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        redirect_uri = get("SLACK_REDIRECT_URI")
        if client_id or client_secret:
            if not (client_id and client_secret and signing_secret):
                problems.append(
                    "Multi-workspace installs need SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                    "SLACK_SIGNING_SECRET together"
                )
            if bot_token or app_token:
                problems.append(
                    "SLACK_CLIENT_ID (installs in many workspaces) and SLACK_BOT_TOKEN or "
                    "SLACK_APP_TOKEN (one workspace) exclude each other: keep one set"
                )
        if redirect_uri and not redirect_uri.startswith("https://"):
            problems.append("SLACK_REDIRECT_URI must be an https:// URL")
        if bot_token and not bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if app_token:
            if not app_token.startswith("xapp-"):
                problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
            if not bot_token:
                problems.append("SLACK_BOT_TOKEN is required with SLACK_APP_TOKEN (Socket Mode)")
        elif bot_token and not signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is required in HTTP mode (SLACK_BOT_TOKEN without "
                "SLACK_APP_TOKEN); set it, or set SLACK_APP_TOKEN for Socket Mode"
            )
        elif signing_secret and not bot_token and not client_id:
            problems.append("SLACK_BOT_TOKEN is required with SLACK_SIGNING_SECRET (HTTP mode)")

        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.startswith(("http://", "https://")):
            problems.append("SLACK_API_URL must be an http(s) URL, such as https://slack.com/api/")
        elif not api_url.endswith("/"):
            api_url += "/"

        database_url = database_url_of(get("DATABASE_URL"))
        sandbox_database_url = database_url_of(
            get("SANDBOX_DATABASE_URL"), DEFAULT_SANDBOX_DATABASE_URL
        )
        for name, url in (
            ("DATABASE_URL", database_url),
            ("SANDBOX_DATABASE_URL", sandbox_database_url),
        ):
            if not url.startswith(("sqlite", "postgresql+psycopg://")):
                problems.append(
                    f"{name} must be sqlite:///path.db or postgresql+psycopg://user@host/db"
                )
        if sandbox_database_url == database_url:
            problems.append(
                "SANDBOX_DATABASE_URL must name another database than DATABASE_URL: the "
                "sandbox's emulated workspace would mix with the real one"
            )

        port = 3000
        raw_port = get("PORT")
        if raw_port is not None:
            if raw_port.isdigit() and 0 < int(raw_port) < 65536:
                port = int(raw_port)
            else:
                problems.append(f"PORT must be a TCP port number, not {raw_port!r}")

        web_workers = None
        raw_workers = get("WEB_CONCURRENCY")
        if raw_workers is not None:
            if raw_workers.isdigit() and 0 < int(raw_workers) <= 64:
                web_workers = int(raw_workers)
            else:
                problems.append(f"WEB_CONCURRENCY must be a number of workers, not {raw_workers!r}")

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            problems.append("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")

        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in LOG_FORMATS:
            problems.append("LOG_FORMAT must be text or json")

        scheduler_enabled = True
        raw_scheduler = (get("SCHEDULER_ENABLED") or "true").lower()
        if raw_scheduler in {"0", "false", "no", "off"}:
            scheduler_enabled = False
        elif raw_scheduler not in {"1", "true", "yes", "on"}:
            problems.append("SCHEDULER_ENABLED must be true or false")

        messages_per_second = 5.0
        raw_rate = get("SLACK_MESSAGES_PER_SECOND")
        if raw_rate is not None:
            try:
                messages_per_second = float(raw_rate)
            except ValueError:
                messages_per_second = 0.0
            if not 0.1 <= messages_per_second <= 100:
                problems.append("SLACK_MESSAGES_PER_SECOND must be a number from 0.1 to 100")

        sender_threads = 1
        raw_threads = get("SLACK_SENDER_THREADS")
        if raw_threads is not None:
            if raw_threads.isdigit() and 1 <= int(raw_threads) <= MAX_SENDER_THREADS:
                sender_threads = int(raw_threads)
            else:
                problems.append(
                    f"SLACK_SENDER_THREADS must be a whole number from 1 to {MAX_SENDER_THREADS}"
                )

        pseudonym_key = get("GOODWILL_PSEUDONYM_KEY") or signing_secret
        if app_token and not pseudonym_key:
            problems.append(
                "GOODWILL_PSEUDONYM_KEY (a long random secret that never changes) or "
                "SLACK_SIGNING_SECRET is needed: it keeps forgotten members anonymous"
            )

        if problems:
            raise ConfigError(problems)
        return cls(
            database_url=database_url,
            sandbox_database_url=sandbox_database_url,
            slack_api_url=api_url,
            slack_bot_token=bot_token,
            slack_signing_secret=signing_secret,
            slack_app_token=app_token,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_redirect_uri=redirect_uri,
            port=port,
            web_workers=web_workers,
            log_level=log_level,
            log_format=log_format,
            scheduler_enabled=scheduler_enabled,
            messages_per_second=messages_per_second,
            sender_threads=sender_threads,
            pseudonym_key=pseudonym_key,
        )
