"""The loopback server's connections and threads, apart from what it answers on them (`http`).

Each connection is served on a thread of its own, as ThreadingHTTPServer serves them, and kept
open between calls when the client asks (HTTP/1.1), as Slack's are; the server closes them all
when it stops, so no client talks to a stopped emulator.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_emulator.backend import Backend


class EmulatorServer(ThreadingHTTPServer):
    """Serves `backend` on 127.0.0.1 with `handler` from `start()` to `stop()`.

    A connection's thread that is done waits for the next connection instead of exiting.
    slack_sdk's own client opens a connection for every call, and starting a thread for each
    was a noticeable share of the emulator's CPU per call (commit 4c388be has the measure)."""

    daemon_threads = True

    def __init__(self, backend: Backend, handler: type[BaseHTTPRequestHandler]) -> None:
        self.backend = backend
        self._reused = _Reused(self.process_request_thread)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._serving: threading.Thread | None = None
        # stop() writes to one end to wake the serving loop; socketserver's own loop polls
        # for shutdown, and waiting out its poll interval was most of a test's teardown.
        self._wake, self._waker = socket.socketpair()
        self.connections_opened = 0
        super().__init__(("127.0.0.1", 0), handler)
        backend.files.base_url = f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> None:
        self._serving = threading.Thread(target=self._serve, name="slack-emulator", daemon=True)
        self._serving.start()

    def _serve(self) -> None:
        """Accept connections, as serve_forever does, until stop() wakes the loop."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake in ready:
                    return
                # serve_forever's own step (accept, then process_request), which typeshed
                # leaves out as private.
                self._handle_request_noblock()  # type: ignore[attr-defined]

    def stop(self) -> None:
        serving, self._serving = self._serving, None
        if serving is not None:
            self._waker.send(b"\0")
            serving.join(timeout=5)
        self.server_close()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
            self.connections_opened += 1
        self._reused.serve(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def hang_up(self, how: int = socket.SHUT_WR) -> None:
        """End every client's connection from this side, as a server ends idle ones: the
        client is told (FIN). A request sent after that still arrives and is done, but its
        answer cannot be written: a client that did not look is left without one."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(how)

    def server_close(self) -> None:
        super().server_close()
        self._wake.close()
        self._waker.close()
        self.hang_up(socket.SHUT_RDWR)  # each connection's thread reads the end and finishes
        self._reused.close()


class _Reused:
    """Daemon threads for `work`: an idle one takes the next job, or a new one starts. Never
    fewer threads than jobs in progress, so nothing waits for a thread."""

    def __init__(self, work: Callable[..., None]) -> None:
        self._work = work
        self._jobs: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for a job that no one has queued yet
        self._started = 0

    def serve(self, *job: Any) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
            else:
                self._started += 1
                threading.Thread(target=self._run, name="slack-emulator", daemon=True).start()
        self._jobs.put(job)

    def close(self) -> None:
        """Each thread ends once its job in progress, if any, is done."""
        with self._lock:
            for _ in range(self._started):
                self._jobs.put(None)
            self._started = self._idle = 0

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._work(*job)
            with self._lock:
                self._idle += 1
