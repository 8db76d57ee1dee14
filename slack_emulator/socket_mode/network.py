"""The network between the app and the emulator's WebSocket server: a TCP hop that a test can
cut silently, as a failed route or a NAT that forgot the connection does.

A connection ended by either end is passed on as it is (its FIN included); a silenced one
carries nothing more either way and is never closed towards the app, so the app hears nothing
at all and has only its own pings to go by.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class _Pair:
    def __init__(self, app: socket.socket, server: socket.socket) -> None:
        self.app, self.server = app, server
        self.silent = threading.Event()
        self._ended = 0
        self._lock = threading.Lock()
        for source, sink in ((app, server), (server, app)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if self.silent.is_set():
                return  # swallowed: nothing passes, and nothing is closed towards the app
            if not data:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                break
            try:
                sink.sendall(data)
            except OSError:
                break
        with self._lock:
            self._ended += 1
            if self._ended == 2:
                self.close()

    def close(self) -> None:
        for end in (self.app, self.server):
            end.close()


class Network:
    """Listens on 127.0.0.1 and joins each connection to `server_port`."""

    def __init__(self, server_port: int) -> None:
        self._server_port = server_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name="slack-emulator-network", daemon=True).start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def _accept(self) -> None:
        while True:
            try:
                app, _ = self._listener.accept()
                server = socket.create_connection(("127.0.0.1", self._server_port))
            except OSError:
                return
            for end in (app, server):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs = [pair for pair in self._pairs if pair.app.fileno() != -1]
                self._pairs.append(_Pair(app, server))

    def silence(self) -> None:
        """From now on the connections open now carry nothing, either way."""
        with self._lock:
            for pair in self._pairs:
                pair.silent.set()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            pair.close()
