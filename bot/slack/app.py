"""Building the Bolt app. Nothing here runs on import; bot/__main__.py wires it up."""

from __future__ import annotations

import contextvars
import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt import Respond as BoltRespond
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.oauth.installation_store import Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.webhook import WebhookResponse

from bot import listeners
from bot.db import answering_a_person
from bot.deps import Deps
from bot.slack.failures import answer_failure
from bot.slack.http import KeptAliveClient, KeptAliveWebhookClient, RequestClients
from bot.slack.ids import BOT_SCOPES
from bot.slack.inbound import clean_request
from bot.slack.installations import InstallationAuthorize

log = logging.getLogger(__name__)


def make_client(token: str | None, api_url: str) -> WebClient:
    """A Web API client for `api_url` (Slack, GovSlack, the emulator) that waits out 429s
    and tries a broken connection again only where a second call cannot do anything twice,
    over kept-alive connections (bot.slack.http)."""
    return KeptAliveClient(
        token=token,
        base_url=api_url,
        retry_handlers=[HarmlessConnectionRetry(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )


# Web API methods whose second call leaves Slack as one call would: reads, and calls that set
# a state (a message's or a view's content, a DM that exists once). chat.postMessage and
# views.open are not among them: a second call is a second message or a second modal.
REPEATABLE_METHODS = frozenset(
    {
        "auth.test",
        "chat.update",
        "conversations.info",
        "conversations.open",
        "team.info",
        "users.conversations",
        "users.info",
        "users.list",
        "views.publish",
        "views.update",
    }
)


def answering_client(client: WebClient) -> WebClient:
    """`client` for listeners, which answer a person within Slack's 3 seconds: it does not wait
    out a 429, whose Retry-After alone can be longer. A refused call is handled like any other
    refusal (a private answer, or a log line for work already saved); the scheduler's jobs
    keep `client` itself, which waits.
    """
    answering = copy.copy(client)  # the caller's client, shared with the jobs, stays as it is
    answering.retry_handlers = [
        handler
        for handler in client.retry_handlers
        if not isinstance(handler, RateLimitErrorRetryHandler)
    ]
    return answering


class HarmlessConnectionRetry(ConnectionErrorRetryHandler):
    """slack_sdk's retry on a broken connection, once, where it cannot post twice.

    slack_sdk retries any call whose connection broke, including after Slack had the whole
    request (the answer lost on the way back): for chat.postMessage that is a second message.
    Here a call is tried again when urllib failed before the request was out (it raises
    URLError while connecting or writing), or when the method is repeatable.
    """

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not isinstance(error, URLError):
            method = urlsplit(request.url).path.rsplit("/", 1)[-1]
            if method not in REPEATABLE_METHODS:
                return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class Respond(BoltRespond):
    """Bolt's `respond()`, posting to the response_url with make_client's retry policy.

    Bolt's builds its WebhookClient with slack_sdk's default retries, which post a second time
    when the first post's answer was lost. A post that fails still raises, as Bolt's does.
    """

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if self.response_url is None:
            return super().__call__(text)  # Bolt's error: no response_url here
        if isinstance(text, dict):  # a whole message, as Bolt takes it
            return self._post(text)
        message = {
            "text": text,
            # Empty lists are left out, as Bolt leaves them out.
            "blocks": blocks or None,
            "attachments": attachments or None,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media,
            "thread_ts": thread_ts,
            "metadata": metadata,
        }
        return self._post(message)

    def _post(self, message: Mapping[str, Any]) -> WebhookResponse:
        assert self.response_url is not None
        client = KeptAliveWebhookClient(
            url=self.response_url,
            proxy=self.proxy,
            ssl=self.ssl,
            retry_handlers=[HarmlessConnectionRetry()],
        )
        # send_dict leaves out what is None and turns Block Kit objects into dicts.
        return client.send_dict(dict(message))


# Bolt names an app without a name after the file that built it, found by inspect.stack(),
# which reads the source of every frame on the stack: most of building an app, which every
# sandbox test does.
APP_NAME = "goodwill"


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
    app = _AnsweringApp(
        name=APP_NAME,
        client=answering_client(client),
        signing_secret=signing_secret,
        # Listeners finish before the HTTP response: the ack carries the reply, and Bolt's
        # thread hand-off (DESIGN.md §4) stays off the hot path.
        process_before_response=True,
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=verify_token,
        logger=logging.getLogger("bot.bolt"),
    )
    return _wire(app, deps)


def build_oauth_app(
    deps: Deps,
    *,
    api_url: str,
    client_id: str,
    client_secret: str,
    signing_secret: str,
    installations: InstallationStore,
    states: OAuthStateStore,
    redirect_uri: str | None = None,
    on_installed: Callable[[Installation], None] | None = None,
) -> App:
    """The Goodwill Bolt app installable in many workspaces (HTTP mode with OAuth).

    Bolt serves /slack/install and /slack/oauth_redirect, keeps installations in
    slack_sdk's SQLAlchemy store, and finds each request's bot token there, refreshing
    rotating tokens through `api_url` (Slack's, GovSlack's, or the emulator's).
    """
    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=sorted(BOT_SCOPES),
        redirect_uri=redirect_uri,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        callback_options=CallbackOptions(success=_installed(on_installed), failure=_install_failed),
    )
    settings.authorize = InstallationAuthorize(
        logger=logging.getLogger("bot.bolt"),
        installation_store=installations,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        client=make_client(None, api_url),
    )
    app = _AnsweringApp(
        name=APP_NAME,
        client=answering_client(make_client(None, api_url)),
        signing_secret=signing_secret,
        oauth_settings=settings,
        process_before_response=True,
        logger=logging.getLogger("bot.bolt"),
    )
    return _wire(app, deps)


class _AnsweringApp(App):
    """Bolt's App, each request dispatched in a context of its own in which statements on
    PostgreSQL give up before Slack does (bot.db.answering_a_person). Listeners run within
    dispatch (process_before_response), and whatever runs in the thread afterwards does not
    inherit the limit."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        response: BoltResponse = contextvars.copy_context().run(self._answer, req)
        return response

    def _answer(self, req: BoltRequest) -> BoltResponse:
        answering_a_person()
        return super().dispatch(req)


def _wire(app: App, deps: Deps) -> App:
    app.use(_provide(deps))
    app.use(clean_request)
    app.error(answer_failure)
    listeners.register(app)
    return app


def _installed(
    on_installed: Callable[[Installation], None] | None,
) -> Callable[[SuccessArgs], BoltResponse]:
    def success(args: SuccessArgs) -> BoltResponse:
        if on_installed is not None:
            on_installed(args.installation)
        response: BoltResponse = args.default.success(args)
        return response

    return success


def _install_failed(args: FailureArgs) -> BoltResponse:
    log.warning("an install failed: %s (%s)", args.reason, args.error)
    response: BoltResponse = args.default.failure(args)
    return response


def _provide(deps: Deps) -> Callable[..., Any]:
    clients = RequestClients()

    def provide_deps(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        # Bolt builds each request's client as a plain WebClient from the app's; this one has
        # its settings and token and keeps the thread's connection to Slack open.
        context["client"] = clients(context.client)
        # Only requests with a response_url (commands, clicks, shortcuts) can respond; an event
        # is left to Bolt, whose respond() there raises, as this one would.
        if context.response_url is not None:
            context["respond"] = Respond(
                response_url=context.response_url,
                proxy=context.client.proxy,
                ssl=context.client.ssl,
            )
        return next()

    return provide_deps
