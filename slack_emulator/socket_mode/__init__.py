"""Slack's Socket Mode for the emulated app: apps.connections.open's URLs and the WebSocket
server behind them (`links`), and what is written on a connection (`envelopes`)."""

from slack_emulator.socket_mode.envelopes import DISCONNECT_REASONS, Envelope
from slack_emulator.socket_mode.links import MAX_CONNECTIONS, SocketMode

__all__ = ["DISCONNECT_REASONS", "MAX_CONNECTIONS", "Envelope", "SocketMode"]
