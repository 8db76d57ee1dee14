"""Which process runs the scheduler: one leader per database, however many hosts and processes.

Several schedulers are safe (dedupe keys and row claims), but each would pace its own sender,
and Slack would get SLACK_MESSAGES_PER_SECOND times the number of processes. So the jobs run
only where the lease is held: gunicorn's workers, Socket Mode and `python -m bot worker` all
ask for it, and the one that has it leads.

On PostgreSQL the lease is a session-level advisory lock, held on a connection of its own for
as long as the process leads. The server drops it when that session ends (the process died,
or its connection was cut), and another process takes it at its next job. The leader checks
its connection before each job and before each message it sends: once it cannot, it no longer
knows that it leads, and stops. On SQLite, whose database lives on one host, it is an
exclusive lock on a file named after the database, which the kernel drops when its holder dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, NullPool, text

from bot.db import make_engine

log = logging.getLogger(__name__)

# The advisory lock's two keys: PostgreSQL's two-int form lives apart from the one-bigint
# form the ledger locks givers with, so the two never collide.
LOCK_CLASS = 0x600D  # "Goodwill"
LOCK_SCHEDULER = 1

# A leader's host that vanishes (power, network) leaves its session open until the server's
# TCP keepalives give up on it; the operating system's default takes hours. These settings
# bound it, on the server's side and on ours, so that another host can lead within a minute.
_KEEPALIVES = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
_CLIENT_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "connect_timeout": 10,
}


class Lease(Protocol):
    def held(self) -> bool:
        """True when this process leads, taking the lease if it is free."""
        ...

    def release(self) -> None: ...


def lease_for(database_url: str) -> Lease:
    """The scheduler's lease on `database_url`'s database, chosen by its dialect."""
    if database_url.startswith("postgresql"):
        return AdvisoryLease(database_url)
    return HostLease(lock_path(database_url))


def lock_path(database_url: str) -> Path:
    """One lock a database on this host: deployments with other databases do not interfere."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"goodwill-scheduler-{digest}.lock"


class HostLease:
    """Held by at most one process (one open file) on the host at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()

    def held(self) -> bool:
        with self._lock:
            if self._fd is not None:
                return True
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._fd = fd
            return True

    def release(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


_TAKE = text("SELECT pg_try_advisory_lock(:class, :key)")
# Still ours: the session is alive and holds the lock (not merely a connection that answers).
_STILL_HELD = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = :class AND objid = :key AND objsubid = 2)"
)


class AdvisoryLease:
    """PostgreSQL's session-level advisory lock, on a connection kept open while held."""

    def __init__(self, database_url: str, key: int = LOCK_SCHEDULER) -> None:
        # A pool of none: the lease's connection is never handed to anyone else, and a
        # broken one is closed rather than pooled.
        # Named, so that an operator (and pg_stat_activity) can tell which process leads.
        name = f"goodwill-scheduler {socket.gethostname()}:{os.getpid()}"
        self._engine: Engine = make_engine(
            database_url,
            poolclass=NullPool,
            connect_args={**_CLIENT_KEEPALIVES, "application_name": name[:63]},
        )
        self._params: dict[str, Any] = {"class": LOCK_CLASS, "key": key}
        self._connection: Connection | None = None
        self._lock = threading.Lock()

    def held(self) -> bool:
        with self._lock:
            if self._connection is not None:
                if self._still_held(self._connection):
                    return True
                log.warning("the scheduler's lease was lost: this process no longer leads")
                self._drop()
            return self._take()

    def release(self) -> None:
        with self._lock:
            self._drop()

    def dispose(self) -> None:
        self.release()
        self._engine.dispose()

    def _take(self) -> bool:
        try:
            connection = self._engine.connect()
        except Exception:
            log.warning("the scheduler's lease could not be asked for", exc_info=True)
            return False
        try:
            with connection.begin():
                for name, value in _KEEPALIVES.items():
                    connection.execute(text(f"SET {name} = {int(value)}"))
                taken = bool(connection.scalar(_TAKE, self._params))
        except Exception:
            log.warning("the scheduler's lease could not be asked for", exc_info=True)
            connection.invalidate()
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        log.info("this process now leads the scheduler")
        self._connection = connection
        return True

    def _still_held(self, connection: Connection) -> bool:
        try:
            with connection.begin():
                return bool(connection.scalar(_STILL_HELD, self._params))
        except Exception:
            return False

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.invalidate()  # closing the session is what lets the lock go
            connection.close()
        except Exception:
            log.debug("closing the lease's connection failed", exc_info=True)
