"""HTTP mode: Bolt's WSGI adapter served by gunicorn (`python -m bot serve`, Procfile `web`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.wsgi import SlackRequestHandler

WsgiApp = Callable[..., Any]


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Runs a WSGI app under gunicorn, building it in each worker after the fork.

    Building after the fork gives each worker its own database connections; gunicorn's
    settings come from `options` and the usual GUNICORN_CMD_ARGS / WEB_CONCURRENCY.
    """

    def __init__(self, load_app: Callable[[], WsgiApp], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        cmd_args = self.cfg.get_cmd_args_from_env()
        if cmd_args:
            parsed = self.cfg.parser().parse_args(cmd_args)
            for key, value in vars(parsed).items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key.lower(), value)

    def load(self) -> WsgiApp:
        return self._load_app()


def wsgi_app(bolt_app: Any) -> WsgiApp:
    """Every Slack request (commands, events, interactivity) at POST /slack/events."""
    return SlackRequestHandler(bolt_app, path="/slack/events")
