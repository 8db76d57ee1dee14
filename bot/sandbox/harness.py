"""The emulated workspace wired to the real app: what `make run` opens and the tests drive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import datetime
from types import TracebackType
from typing import Any

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


class FollowUps:
    """The work an app hands to Bolt's listener executor to do after answering, remembered so
    that whoever drives it (the tests) can wait for it to finish."""

    def __init__(self, app: App) -> None:
        self._pending: list[Future[Any]] = []
        self._lock = threading.Lock()
        executor = app.listener_runner.listener_executor
        submit = executor.submit

        def remembered(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = submit(work, *args, **kwargs)
            with self._lock:
                self._pending.append(future)
            return future

        executor.submit = remembered  # type: ignore[method-assign]

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until everything handed over so far is done, and what it handed on in turn."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._pending = [future for future in self._pending if not future.done()]
                pending = list(self._pending)
            if not pending:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the app's work after answering did not finish")
            wait(pending, timeout=left)


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
        self._follow_ups: FollowUps | None = None

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
        self._follow_ups = FollowUps(self._app)
        return self

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the work the app does after answering (a /thanks's celebration, an
        export's upload, …) is done."""
        assert self._follow_ups is not None, "start the sandbox first"
        self._follow_ups.settle(timeout)

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
