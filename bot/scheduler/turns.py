"""What each sending thread sends next, and when: held rows shared out under the pacer."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.scheduler.outbox import Held, hold, let_go
from bot.scheduler.pacer import Pacer

log = logging.getLogger(__name__)

# A sender holds about this many seconds' worth of messages at its pace: one query a batch
# instead of one a message, while rows it cannot reach soon stay free for other senders.
HOLD_SECONDS = 1.0
MAX_HELD = 200


@dataclass(frozen=True)
class Turn:
    """Send `message` (its channel is claimed at the pacer); or, with none, look again in
    `wait` seconds."""

    message: Held | None
    wait: float = 0.0


class Turns:
    """Hands out held messages to threads, oldest first, each with its turn at the pacer.

    The lock is never taken inside a database transaction. The one transaction taken under
    it (holding more rows) may wait for another thread's transaction, on SQLite for its one
    write lock, but that transaction never waits for the lock: threads queue, never deadlock.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        pacer: Pacer,
        worker_id: str,
        batch: int | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.pacer = pacer
        self.worker_id = worker_id
        self.batch = batch or max(1, min(MAX_HELD, round(pacer.per_second * HOLD_SECONDS)))
        self._lock = threading.Lock()
        self._held: dict[int, Held] = {}
        self._stopped = False

    def take(self) -> Turn | None:
        """The next message and its turn; None when nothing due is left or `stop` was called."""
        with self._lock:
            if self._stopped:
                return None
            message = self._first_sendable()
            if message is None:
                self._hold_more()
                message = self._first_sendable()
            if message is not None:
                del self._held[message.id]
                self.pacer.claim(message.channel_id)
                return Turn(message)
            wait = self.pacer.until_a_channel_is_free()
            if wait is None:
                if not self._held:
                    return None  # nothing held, nothing due
                wait = self.pacer.interval  # another thread has the channel: soon free
            return Turn(None, wait)

    def stop(self) -> None:
        """Hand out no more turns (a thread failed)."""
        with self._lock:
            self._stopped = True

    def release_held(self) -> None:
        """Give back what is held and was not handed out, for any sender to take at once."""
        with self._lock:
            left = list(self._held)
            self._held.clear()
        if not left:
            return
        try:
            with self.sessions.begin() as session:
                let_go(session, left, self.worker_id)
        except Exception:
            # Not lost either way: once their hold runs out, any sender takes them.
            log.exception("could not give back %d held messages", len(left))

    def _first_sendable(self) -> Held | None:
        if not self._held:
            return None
        busy = self.pacer.busy_channels()
        # Oldest first, but not behind a workspace whose turns are taken for a while when
        # another's turn is free: each workspace has a pace of its own.
        best: Held | None = None
        best_wait = math.inf
        waits: dict[str, float] = {}
        for message in self._held.values():
            if message.channel_id in busy:
                continue
            if message.team_id not in waits:
                waits[message.team_id] = self.pacer.until_turn(message.team_id)
            wait = waits[message.team_id]
            if wait <= self.pacer.interval:
                return message
            if wait < best_wait:
                best, best_wait = message, wait
        return best

    def _hold_more(self) -> None:
        busy = self.pacer.busy_channels()
        with self.sessions.begin() as session:
            more = hold(session, self.clock(), self.worker_id, self.batch, busy)
        # A row this sender already holds comes back if its hold ran out: keep one copy.
        for message in more:
            self._held.setdefault(message.id, message)
        if len(more) > 1:
            self._held = dict(sorted(self._held.items(), key=lambda kv: (kv[1].due_at, kv[0])))
