"""Which of a host's processes runs the scheduler: the one holding a lock file.

gunicorn's workers each build the app, and each would start a scheduler. Several schedulers
are safe (dedupe keys and row claims), but each paces its own sender, so that the workspace
would get SLACK_MESSAGES_PER_SECOND times the number of workers. The worker that holds an
exclusive lock on a file named after the database runs the jobs; the others skip them. The
kernel drops the lock when its holder dies, and another worker takes it at its next job.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from pathlib import Path


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
        """True when this process holds the lease, taking it if it is free."""
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
