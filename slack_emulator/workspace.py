"""The emulated workspace's state: people, channels and messages (the calls that changed them
are `traffic`'s).

Every request runs on its own server thread, so all state sits behind one re-entrant lock;
subscribers are called after it is released, so a subscriber may call back into the emulator.
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from slack_emulator.models import (
    Identity,
    Message,
    SlackChannel,
    SlackEmulatorRejected,
    SlackUser,
    SlackUserGroup,
)
from slack_emulator.oauth import OAuthApp
from slack_emulator.socket_mode import SocketMode
from slack_emulator.validation import MessageContent

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Subscriber = Callable[[Message], None]


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if not number:
            return text


class Workspace:
    def __init__(self, identity: Identity, *, validate: bool, clock: Clock) -> None:
        self.identity = identity
        self.validate = validate
        self.clock = clock
        self.lock = threading.RLock()
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, SlackChannel] = {}
        self.user_groups: dict[str, SlackUserGroup] = {}
        self._messages: dict[tuple[str, str], Message] = {}
        self._subscribers: list[Subscriber] = []
        self._last_ts_micros = 0
        # Slack never hands out an id twice. An emulator started again (the sandbox, run after
        # run against the same database) counts on from the microsecond it starts, so its
        # view, file and conversation ids never repeat an earlier run's, whose records an app
        # keeps (a form remembered as submitted).
        self._ids = itertools.count(round(clock() * 1_000_000))
        # Set by SlackEmulator.enable_oauth: the app can then be installed through OAuth.
        self.oauth: OAuthApp | None = None
        # Set by SlackEmulator.enable_socket_mode: apps.connections.open then answers.
        self.socket_mode: SocketMode | None = None

    # -- identifiers -------------------------------------------------------------------------

    def next_ts(self) -> str:
        """Slack's message ids: seconds.microseconds, unique and increasing within a channel."""
        with self.lock:
            micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_number(self) -> int:
        with self.lock:
            return next(self._ids)

    def next_id(self, prefix: str) -> str:
        """An id shaped like Slack's (a type letter, then upper-case letters and digits)."""
        return f"{prefix}0SBX{_base36(self.next_number()):0>6}"

    # -- people and channels -------------------------------------------------------------------

    def add_user(self, user: SlackUser) -> SlackUser:
        with self.lock:
            self.users[user.id] = user
        return user

    def add_user_group(self, group: SlackUserGroup) -> SlackUserGroup:
        with self.lock:
            self.user_groups[group.id] = group
        return group

    def add_channel(self, channel: SlackChannel) -> SlackChannel:
        with self.lock:
            self.channels[channel.id] = channel
        return channel

    def user(self, user_id: object) -> SlackUser:
        with self.lock:
            found = self.users.get(user_id) if isinstance(user_id, str) else None
        if found is None:
            raise SlackEmulatorRejected("user_not_found")
        return found

    def user_by_name(self, name: str) -> SlackUser | None:
        wanted = name.removeprefix("@")
        with self.lock:
            people = list(self.users.values())
        return next((u for u in people if wanted in (u.name, u.display_name)), None)

    def channel_by_name(self, name: str) -> SlackChannel | None:
        wanted = name.removeprefix("#")
        with self.lock:
            return next((c for c in self.channels.values() if c.name == wanted), None)

    def resolve_channel(self, ref: object, *, allow_user: bool = False) -> SlackChannel:
        """The channel a request names, by id or #name, or a person's DM when `allow_user`."""
        if not isinstance(ref, str) or not ref:
            raise SlackEmulatorRejected("channel_not_found")
        with self.lock:
            channel = self.channels.get(ref) or self.channel_by_name(ref)
            if channel is None and allow_user and ref in self.users:
                channel = self.open_dm(ref)[0]
        # Slack hides private channels from apps that are not in them.
        bot = self.identity.bot_user_id
        if channel is None or (channel.is_private and bot not in channel.members):
            raise SlackEmulatorRejected("channel_not_found")
        return channel

    def writable_channel(self, ref: object, *, allow_user: bool = False) -> SlackChannel:
        """The channel a request posts in, as `resolve_channel`; an archived one is read only.
        A DM or group DM between people, without the app, is channel_not_found too: a slash
        command can be typed there, but chat:write.public opens public channels only."""
        channel = self.resolve_channel(ref, allow_user=allow_user)
        direct = channel.is_im or channel.is_mpim
        if direct and self.identity.bot_user_id not in channel.members:
            raise SlackEmulatorRejected("channel_not_found")
        if channel.is_archived:
            raise SlackEmulatorRejected("is_archived")
        return channel

    def open_dm(self, user_id: str) -> tuple[SlackChannel, bool]:
        """The bot's DM with `user_id`, and whether it already existed."""
        dm_id = f"D{user_id}"
        with self.lock:
            existing = self.channels.get(dm_id)
            if existing is not None:
                return existing, True
            members = {user_id, self.identity.bot_user_id}
            channel = SlackChannel(id=dm_id, name=dm_id, is_im=True, members=members)
            self.channels[dm_id] = channel
            return channel, False

    # -- messages -------------------------------------------------------------------------------

    def messages(
        self, channel: str | None = None, *, ephemeral: bool | None = None
    ) -> list[Message]:
        """Copies in posting order, optionally in one channel (id or #name) only."""
        with self.lock:
            wanted = channel
            if channel is not None and channel not in self.channels:
                named = self.channel_by_name(channel)
                wanted = named.id if named is not None else channel
            return [
                copy.deepcopy(m)
                for m in self._messages.values()
                if (wanted is None or m.channel == wanted)
                and (ephemeral is None or (m.ephemeral_for is not None) == ephemeral)
            ]

    def find_message(self, channel_id: str, ts: object) -> Message | None:
        if not isinstance(ts, str):
            return None
        with self.lock:
            return self._messages.get((channel_id, ts))

    def find_message_anywhere(self, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self._messages.values() if m.ts == ts), None)

    def post(self, message: Message) -> Message:
        with self.lock:
            self._messages[(message.channel, message.ts)] = message
            snapshot = copy.deepcopy(message)
        self._notify(snapshot)
        return snapshot

    def edit(self, message: Message, content: MessageContent) -> Message:
        with self.lock:
            message.text = content.text
            # Like chat.update, blocks and attachments left out of the request are kept.
            if content.blocks is not None:
                message.blocks = content.blocks
            if content.attachments is not None:
                message.attachments = content.attachments
            message.edited = True
            snapshot = copy.deepcopy(message)
        self._notify(snapshot)
        return snapshot

    def react(self, channel_id: str, ts: str, user_id: str, name: str, *, added: bool) -> bool:
        """Put `user_id`'s `name` on a message, or take it off: False when that changes
        nothing (no such message, the reaction already there, or not there to take off)."""
        with self.lock:
            message = self._messages.get((channel_id, ts))
            if message is None:
                return False
            users = message.reactions.get(name, [])
            if added == (user_id in users):
                return False
            if added:
                message.reactions[name] = [*users, user_id]
            else:
                users.remove(user_id)
                if not users:
                    del message.reactions[name]
            return True

    def delete(self, message: Message) -> None:
        with self.lock:
            self._messages.pop((message.channel, message.ts), None)
            snapshot = replace(copy.deepcopy(message), deleted=True)
        self._notify(snapshot)

    def subscribe(self, callback: Subscriber) -> None:
        with self.lock:
            self._subscribers.append(callback)

    def _notify(self, message: Message) -> None:
        with self.lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(copy.deepcopy(message))
            except Exception:
                # A broken printer in the sandbox must not turn into a failed Slack call.
                logger.exception("Sandbox subscriber failed on message %s", message.ts)

    def reset(self) -> None:
        with self.lock:
            self._messages.clear()
