"""The emulated workspace wired to the real app: what `make run` opens and the tests drive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import Deps, utc_now
from bot.sandbox.driver import SlackDriver
from bot.sandbox.seed import TEAM_ID, seed_workspace
from bot.sandbox.transport import DispatchTransport
from bot.scheduler.sender import Pacer, Sender, SendReport
from bot.scheduler.tick import TickReport, run_tick
from bot.slack.api import sync_workspace
from bot.slack.app import build_app, make_client
from slack_emulator import SlackEmulator

SIGNING_SECRET = "sandbox-signing-secret"


class Sandbox:
    """A seeded emulator, the Goodwill app pointed at it, and a driver that plays Slack."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime] = utc_now,
        *,
        sync_members: bool = True,
        team_id: str = TEAM_ID,
        team_name: str = "Sandbox Co",
        team_domain: str = "sandbox",
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.sync_members = sync_members
        self.emulator = SlackEmulator(team_id=team_id, team_name=team_name, team_domain=team_domain)
        seed_workspace(self.emulator)
        self._app: App | None = None
        self._driver: SlackDriver | None = None

    @property
    def app(self) -> App:
        assert self._app is not None, "start the sandbox first"
        return self._app

    @property
    def driver(self) -> SlackDriver:
        assert self._driver is not None, "start the sandbox first"
        return self._driver

    def start(self) -> Sandbox:
        self.emulator.start()
        client = make_client(self.emulator.bot_token, self.emulator.api_url)
        if self.sync_members:
            sync_workspace(client, self.sessions, self.clock)
        self._app = build_app(
            Deps(self.sessions, self.clock), client=client, signing_secret=SIGNING_SECRET
        )
        self._driver = SlackDriver(self.emulator, SIGNING_SECRET, DispatchTransport(self._app))
        return self

    def tick(self, at: datetime) -> tuple[TickReport, SendReport]:
        """One scheduler tick as if at `at`, and send what is due then to the emulator."""
        client = make_client(self.emulator.bot_token, self.emulator.api_url)
        planned = run_tick(self.sessions, at)
        sender = Sender(self.sessions, lambda _team_id: client, lambda: at, Pacer(100, 0.0))
        return planned, sender.send_due()

    def stop(self) -> None:
        if self._app is not None:
            # Work Bolt runs after answering (an export's upload) finishes before Slack goes.
            self._app.listener_runner.listener_executor.shutdown(wait=True)
        self.emulator.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
