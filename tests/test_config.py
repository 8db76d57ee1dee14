"""Settings come from the environment once, and every problem is listed at once."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, DEFAULT_SANDBOX_DATABASE_URL, RunMode, Settings
from bot.errors import ConfigError


def test_no_credentials_means_the_sandbox() -> None:
    settings = Settings.from_env({})
    assert settings.mode is RunMode.SANDBOX
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.sandbox_database_url == DEFAULT_SANDBOX_DATABASE_URL != DEFAULT_DATABASE_URL
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000


def test_http_mode() -> None:
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "8080"}
    )
    assert settings.mode is RunMode.HTTP
    assert settings.port == 8080


def test_web_workers_come_from_web_concurrency() -> None:
    assert Settings.from_env({}).web_workers is None
    assert Settings.from_env({"WEB_CONCURRENCY": "4"}).web_workers == 4
    for wrong in ("0", "many", "1000"):
        with pytest.raises(ConfigError) as error:
            Settings.from_env({"WEB_CONCURRENCY": wrong})
        assert error.value.problems == [
            f"WEB_CONCURRENCY must be a number of workers, not {wrong!r}"
        ]


def test_socket_mode() -> None:
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}
    )
    assert settings.mode is RunMode.SOCKET
    assert settings.pseudonym_key == "s"


def test_the_pseudonym_key_is_required_outside_the_sandbox() -> None:
    assert Settings.from_env({}).pseudonym_key is None
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert any("GOODWILL_PSEUDONYM_KEY" in p for p in error.value.problems)
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "GOODWILL_PSEUDONYM_KEY": "k" * 40,
        }
    )
    assert settings.pseudonym_key == "k" * 40


def test_the_sandbox_database_is_its_own() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgres://u@h/real", "SANDBOX_DATABASE_URL": "postgres://u@h/play"}
    )
    assert settings.database_url == "postgresql+psycopg://u@h/real"
    assert settings.sandbox_database_url == "postgresql+psycopg://u@h/play"
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"SANDBOX_DATABASE_URL": "mysql://x"})
    assert error.value.problems == [
        "SANDBOX_DATABASE_URL must be sqlite:///path.db or postgresql+psycopg://user@host/db"
    ]
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"SANDBOX_DATABASE_URL": DEFAULT_DATABASE_URL})
    assert "another database than DATABASE_URL" in error.value.problems[0]


def test_api_url_and_database_url_are_normalised() -> None:
    settings = Settings.from_env(
        {"SLACK_API_URL": "http://127.0.0.1:9000/api", "DATABASE_URL": "postgres://u@h/db"}
    )
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxp-user-token",
                "SLACK_APP_TOKEN": "nope",
                "PORT": "eighty",
                "DATABASE_URL": "mysql://x",
                "LOG_LEVEL": "LOUD",
                "SLACK_API_URL": "slack.com",
            }
        )
    problems = error.value.problems
    assert len(problems) == 7
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "PORT",
        "DATABASE_URL",
        "LOG_LEVEL",
        "SLACK_API_URL",
        "GOODWILL_PSEUDONYM_KEY",
    ):
        assert any(name in problem for problem in problems)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_half_configured_modes_fail_fast(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert any(missing in problem for problem in error.value.problems)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_scheduler_settings() -> None:
    defaults = Settings.from_env({})
    assert defaults.scheduler_enabled and defaults.messages_per_second == 5.0
    settings = Settings.from_env({"SCHEDULER_ENABLED": "false", "SLACK_MESSAGES_PER_SECOND": "2.5"})
    assert not settings.scheduler_enabled and settings.messages_per_second == 2.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCHEDULER_ENABLED", "sometimes"),
        ("SLACK_MESSAGES_PER_SECOND", "0"),
        ("SLACK_MESSAGES_PER_SECOND", "fast"),
        ("SLACK_MESSAGES_PER_SECOND", "0.01"),
    ],
)
def test_invalid_scheduler_settings(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({name: value})
    assert [p for p in error.value.problems if name in p]


def test_sender_threads() -> None:
    assert Settings.from_env({}).sender_threads == 1
    assert Settings.from_env({"SLACK_SENDER_THREADS": "4"}).sender_threads == 4
    assert Settings.from_env({"SLACK_SENDER_THREADS": "16"}).sender_threads == 16


@pytest.mark.parametrize("value", ["0", "17", "-1", "1.5", "four"])
def test_invalid_sender_threads_are_listed_with_the_other_problems(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"SLACK_SENDER_THREADS": value, "SLACK_MESSAGES_PER_SECOND": "0"})
    problems = error.value.problems
    assert [p for p in problems if "SLACK_SENDER_THREADS" in p and "1 to 16" in p]
    assert [p for p in problems if "SLACK_MESSAGES_PER_SECOND" in p]


def test_multi_workspace_mode() -> None:
    settings = Settings.from_env(
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"}
    )
    assert settings.mode is RunMode.OAUTH
    assert settings.slack_client_id == "1.2" and settings.slack_redirect_uri is None


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING"),
        (
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "s",
                "SLACK_SIGNING_SECRET": "x",
                "SLACK_BOT_TOKEN": "xoxb-1",
            },
            "exclude each other",
        ),
        ({"SLACK_REDIRECT_URI": "http://plain.example.com/"}, "SLACK_REDIRECT_URI must be"),
    ],
)
def test_half_configured_installs_fail_fast(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert any(problem in p for p in error.value.problems)
