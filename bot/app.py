"""Building the Bolt app. Nothing here runs on import; bot/__main__.py wires it up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import listeners
from bot.deps import Deps

log = logging.getLogger(__name__)


def make_client(token: str | None, api_url: str) -> WebClient:
    """A Web API client for `api_url` (Slack, GovSlack, the emulator) that waits out 429s."""
    client = WebClient(token=token, base_url=api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def build_app(
    deps: Deps,
    *,
    client: WebClient,
    signing_secret: str | None,
    verify_token: bool = True,
) -> App:
    """The Goodwill Bolt app for one workspace's bot token (held by `client`).

    `signing_secret=None` is for Socket Mode, where Slack does not sign requests.
    """
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Listeners finish before the HTTP response: the ack carries the reply, and Bolt's
        # thread hand-off (about 11 ms a request here) stays off the hot path.
        process_before_response=True,
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=verify_token,
        logger=logging.getLogger("bot.bolt"),
    )
    app.use(_provide(deps))
    app.error(_log_error)
    listeners.register(app)
    return app


def _provide(deps: Deps) -> Callable[..., Any]:
    def provide_deps(context: dict[str, Any], next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        return next()

    return provide_deps


def _log_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
    log.error(
        "listener failed for %s in team %s",
        body.get("type") or body.get("command"),
        body.get("team_id") or (body.get("team") or {}).get("id"),
        exc_info=error,
    )
    return None
