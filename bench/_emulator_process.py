"""The bench's Slack emulator, served from a process of its own.

The load generator is one busy Python process; an emulator served from its threads would wait
for the same interpreter lock, and the bot's Web API calls (a reaction's private confirmation)
would wait on the load rather than on Slack. A separate process answers them as Slack would:
on its own CPU time, which the bench measures apart.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection
from types import TracebackType

from bot.sandbox.seed import TEAM_ID, seed_workspace
from slack_emulator import SlackEmulator, SlackUser


def bench_world(colleagues: int) -> SlackEmulator:
    """The sandbox workspace and `colleagues` more people, everyone in every channel (so that
    the bot can tell them things privately there). Not started."""
    emulator = SlackEmulator(team_id=TEAM_ID, team_name="Bench Co", team_domain="bench")
    seed_workspace(emulator)
    channels = emulator.channels.values()
    for number, user_id in enumerate(colleague_ids(colleagues), start=1):
        emulator.add_user(
            SlackUser(
                id=user_id,
                team_id=TEAM_ID,
                name=f"colleague{number}",
                real_name=f"Colleague {number}",
                display_name=f"colleague{number}",
            )
        )
        for channel in channels:
            channel.members.add(user_id)
    return emulator


def colleague_ids(colleagues: int) -> list[str]:
    return [f"U0BENCH{number:03d}" for number in range(1, colleagues + 1)]


class EmulatorProcess:
    """`bench_world(colleagues)` served on loopback by a child process."""

    def __init__(self, colleagues: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(colleagues, child), name="bench-slack-emulator", daemon=True
        )
        self.api_url = ""

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def accepted(self, method: str) -> int:
        """How many calls of `method` the emulator accepted (answered without an error)."""
        self._pipe.send(("accepted", method))
        count: int = self._pipe.recv()
        return count

    def wait_until_accepted(self, method: str, count: int, timeout: float = 60.0) -> int:
        """How many calls of `method` the emulator accepted, once `count` were or `timeout`
        seconds passed: what a server does after answering may still be under way when the
        load ends."""
        deadline = time.monotonic() + timeout
        while (accepted := self.accepted(method)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return accepted

    def __enter__(self) -> EmulatorProcess:
        self._process.start()
        if not self._pipe.poll(60):
            self._process.kill()
            raise RuntimeError("the bench's Slack emulator did not start")
        self.api_url = self._pipe.recv()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process.is_alive():
            self._pipe.send(("stop", ""))
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(colleagues: int, pipe: Connection) -> None:
    emulator = bench_world(colleagues).start()
    pipe.send(emulator.api_url)
    while True:
        request, method = pipe.recv()
        if request == "stop":
            emulator.stop()
            return
        pipe.send(sum(1 for call in emulator.calls_to(method) if call.error is None))
