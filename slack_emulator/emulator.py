"""`SlackEmulator`: one emulated workspace with the bot installed, what people do in it and
what the bot did, served on 127.0.0.1 while started."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from slack_emulator import models
from slack_emulator.backend import Backend
from slack_emulator.files import FileStore, UploadedFile
from slack_emulator.http import serve
from slack_emulator.methods import HANDLERS
from slack_emulator.models import Call, Identity, JsonDict, Message, SlackChannel, SlackUser
from slack_emulator.oauth import OAuthApp
from slack_emulator.responses import Responder
from slack_emulator.server import EmulatorServer
from slack_emulator.socket_mode import SocketMode
from slack_emulator.traffic import Traffic
from slack_emulator.views import TRIGGER_TTL_SECONDS, ViewStore
from slack_emulator.workspace import Clock, Workspace

__all__ = ["SlackEmulator"]


class SlackEmulator:
    """One emulated workspace with the bot installed, served on 127.0.0.1 while started."""

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        team_name: str = "Sandbox",
        team_domain: str = "sandbox",
        bot_user_id: str = "U0GOODWILL",
        bot_id: str = "B0GOODWILL",
        bot_token: str = "xoxb-sandbox-token",
        validate: bool = True,
        app_id: str = "A0GOODWILL",
        bot_name: str = "goodwill",
        bot_real_name: str = "Goodwill",
        clock: Clock = time.time,
        trigger_ttl_seconds: float = TRIGGER_TTL_SECONDS,
    ) -> None:
        identity = Identity(team_id, team_name, team_domain, bot_user_id, bot_id, app_id, bot_token)
        self._ws = Workspace(identity, validate=validate, clock=clock)
        self._traffic = Traffic(clock)
        self._views = ViewStore(self._ws, trigger_ttl=trigger_ttl_seconds)
        self._responder = Responder(self._ws)
        self._files = FileStore()
        self._server: EmulatorServer | None = None
        # The app's own bot user is a member like any other, as in Slack.
        self.add_user(SlackUser(bot_user_id, team_id, bot_name, bot_real_name, is_bot=True))

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        if self._server is not None:
            raise RuntimeError("the Slack emulator is already running")
        backend = Backend(self._ws, self._views, self._responder, self._traffic, self._files)
        self._server = serve(backend)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        for running in (server, self._ws.socket_mode):
            if running is not None:
                running.stop()

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *_exc_info: object) -> None:
        self.stop()

    @property
    def connections_opened(self) -> int:
        """How many connections clients opened (a kept-alive one serves many calls)."""
        return self._running().connections_opened

    def hang_up(self) -> None:
        """End the clients' connections between calls, as servers end idle ones; a call sent
        on one anyway is done and its answer lost."""
        self._running().hang_up()

    def _running(self) -> EmulatorServer:
        if self._server is None:
            raise RuntimeError("start() the Slack emulator first")
        return self._server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._running().server_address[1]}"

    @property
    def api_url(self) -> str:
        """What `WebClient(base_url=...)` takes: it appends the method name to this."""
        return f"{self.base_url}/api/"

    # -- who is who ----------------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self._ws.identity.team_id

    @property
    def team_name(self) -> str:
        return self._ws.identity.team_name

    @property
    def team_domain(self) -> str:
        return self._ws.identity.team_domain

    @property
    def bot_user_id(self) -> str:
        return self._ws.identity.bot_user_id

    @property
    def bot_id(self) -> str:
        return self._ws.identity.bot_id

    @property
    def bot_token(self) -> str:
        return self._ws.identity.bot_token

    @property
    def methods(self) -> list[str]:
        """The Web API methods this emulator answers."""
        return sorted(HANDLERS)

    def add_user(self, user: SlackUser) -> SlackUser:
        return self._ws.add_user(user)

    def add_channel(self, channel: SlackChannel) -> SlackChannel:
        return self._ws.add_channel(channel)

    def add_user_group(self, group: models.SlackUserGroup) -> models.SlackUserGroup:
        return self._ws.add_user_group(group)

    @property
    def users(self) -> dict[str, SlackUser]:
        with self._ws.lock:
            return dict(self._ws.users)

    @property
    def channels(self) -> dict[str, SlackChannel]:
        with self._ws.lock:
            return dict(self._ws.channels)

    def user_by_name(self, name: str) -> SlackUser | None:
        return self._ws.user_by_name(name)

    def channel_by_name(self, name: str) -> SlackChannel | None:
        return self._ws.channel_by_name(name)

    # -- what people do in Slack ----------------------------------------------------------------

    def new_response_url(
        self, channel_id: str, user_id: str, *, message_ts: str | None = None
    ) -> str:
        """A response_url as Slack sends with a command or interaction (30 minutes, 5 uses).

        `message_ts` is the message an interaction came from; replace_original and
        delete_original act on it.
        """
        return self.base_url + self._responder.new_path(channel_id, user_id, message_ts)

    def enable_oauth(
        self,
        client_id: str,
        client_secret: str,
        scopes: tuple[str, ...] = (),
        *,
        rotation: bool = False,
        token_ttl_seconds: int = 43_200,
    ) -> OAuthApp:
        """Let the app be installed with OAuth v2 (oauth.v2.access); returns its OAuth state."""
        self._ws.oauth = OAuthApp(client_id, client_secret, scopes, rotation, token_ttl_seconds)
        return self._ws.oauth

    def enable_socket_mode(self, **options: Any) -> SocketMode:
        """Socket Mode on until stop() (apps.connections.open answers); options: SocketMode's."""
        self._ws.socket_mode = SocketMode(self._ws.identity.app_id, **options).start()
        return self._ws.socket_mode

    def authorize_install(self, user_id: str, redirect_uri: str | None = None) -> str:
        """A person approves the install in their browser: the code Slack redirects with."""
        if self._ws.oauth is None:
            raise RuntimeError("call enable_oauth first")
        return self._ws.oauth.authorize(user_id, self._ws.clock(), redirect_uri)

    def new_trigger_id(self, user_id: str) -> str:
        """A trigger_id as Slack sends with an interaction: opens one modal within 3 seconds."""
        return self._views.new_trigger(user_id)

    def deliver_command_response(
        self, channel_id: str, user_id: str, body: Mapping[str, Any]
    ) -> Message | None:
        """Show what a slash command's HTTP response carried, as Slack would.

        Raises `SlackEmulatorRejected` when Slack would refuse the body.
        """
        return self._responder.deliver_command_response(channel_id, user_id, body)

    def post_user_message(
        self, channel_id: str, user_id: str, text: str, *, thread_ts: str | None = None
    ) -> Message:
        """A message a person wrote (the bot may not chat.update it)."""
        message = Message(
            channel=channel_id,
            ts=self._ws.next_ts(),
            user=user_id,
            text=text,
            thread_ts=thread_ts,
            source="user",
        )
        return self._ws.post(message)

    def react(
        self, channel_id: str, ts: str, user_id: str, name: str, *, added: bool = True
    ) -> bool:
        """Someone puts emoji `name` on a message (or takes it off), as Slack keeps it on the
        message; False when that changes nothing. The bot hears of it through the driver."""
        return self._ws.react(channel_id, ts, user_id, name, added=added)

    def close_view(self, view_id: str) -> None:
        """The person closed or submitted a modal: it no longer accepts views.update."""
        self._views.close(view_id)

    # -- what the bot did -----------------------------------------------------------------------

    def set_rate_limit(self, method: str, calls: int, per_seconds: float) -> None:
        """Allow `calls` calls of `method` in any `per_seconds` window; answer 429 beyond."""
        self._traffic.set_rate_limit(method, calls, per_seconds)

    def clear_rate_limit(self, method: str) -> None:
        self._traffic.clear_rate_limit(method)

    def set_latency(self, method: str, seconds: float) -> None:
        """Answer `method` `seconds` after doing it, as Slack does across the internet."""
        self._traffic.set_latency(method, seconds)

    def refuse(self, method: str, error: str) -> None:
        """Answer every later call of `method` with `{"ok": false, "error": error}` (HTTP 200,
        as Slack answers missing_scope), doing nothing, until `clear_refusal` or `reset`."""
        if method not in HANDLERS:
            raise ValueError(f"the Slack emulator does not answer {method!r}")
        if not error:
            raise ValueError("a refusal needs Slack's error code")
        self._traffic.refuse(method, error)

    def clear_refusal(self, method: str) -> None:
        self._traffic.clear_refusal(method)

    @property
    def calls(self) -> list[Call]:
        return self._traffic.calls()

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self._traffic.calls() if call.method == method]

    def messages(
        self, channel: str | None = None, *, ephemeral: bool | None = None
    ) -> list[Message]:
        """Messages in posting order, optionally in one channel (id or #name) only."""
        return self._ws.messages(channel, ephemeral=ephemeral)

    @property
    def published_views(self) -> dict[str, JsonDict]:
        """Each person's Home tab, by user id."""
        return self._views.published()

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files shared with files.completeUploadExternal, in order, with their bytes."""
        return self._files.shared()

    @property
    def open_views(self) -> dict[str, JsonDict]:
        """Modals open now, by view id."""
        return self._views.open_views()

    def view_owner(self, view_id: str) -> str | None:
        return self._views.owner(view_id)

    def subscribe(self, callback: Callable[[Message], None]) -> None:
        """Call `callback` with a copy of every new, edited or deleted (`deleted=True`) message."""
        self._ws.subscribe(callback)

    def reset(self) -> None:
        """Forget calls, messages, views, files, triggers, response URLs and refusals; keep
        people and channels."""
        self._ws.reset()
        self._traffic.reset()
        self._files.reset()
        self._views.reset()
        self._responder.reset()
