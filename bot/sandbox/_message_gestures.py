"""The sandbox's gestures on someone else's message: putting a reaction on it or taking one
off, and finding the message meant, the newest someone else wrote (the "Thank for this"
shortcut in bot.sandbox.gestures takes it too).

A reaction changes the emulator's message as Slack would, says so in the shell, and sends the
app the event Slack would send it (bot.sandbox.gestures shows the app's answer).
"""

from __future__ import annotations

import re

from bot.sandbox._channel_gestures import Say
from bot.sandbox.harness import Sandbox
from bot.sandbox.render import render_text
from bot.sandbox.transport import Delivery
from slack_emulator import Message, SlackChannel, SlackEmulator, SlackUser

_EMOJI = re.compile(r"^:?([\w+-]+(?:::skin-tone-[2-6])?):?$")


def react(
    sandbox: Sandbox, say: Say, user: SlackUser, channel: SlackChannel, emoji: str, *, added: bool
) -> Delivery | None:
    """Put `emoji` on the newest message someone else wrote in `channel`, or take it off the
    newest one `user` put it on; Slack tells the app."""
    emulator = sandbox.emulator
    match = _EMOJI.match(emoji)
    if match is None:
        verb = "react" if added else "unreact"
        say(f"Name one emoji, for example `{user.name}: {verb} :pray:`.")
        return None
    name = match[1]
    if added:
        message = latest_by_someone_else(emulator, say, user, channel, "No one else has written")
        if message is None:
            return None
    else:
        message = next(
            (
                m
                for m in reversed(emulator.messages(channel.id, ephemeral=False))
                if user.id in m.reactions.get(name, ())
            ),
            None,
        )
        if message is None:
            say(f"@{user.name} has no :{name}: on a message in #{channel.name}.")
            return None
    if not emulator.react(message.channel, message.ts, user.id, name, added=added):
        say(f"(@{user.name} has :{name}: on that message already)")
        return None
    author = emulator.users[message.user].name
    what = "reacts with" if added else "takes off"
    say(f"(@{user.name} {what} :{name}: on @{author}'s message: {_quote(emulator, message)})")
    return sandbox.driver.react(user.id, message, name, added=added)


def _quote(emulator: SlackEmulator, message: Message, limit: int = 60) -> str:
    text = render_text(message.text, emulator.users, emulator.channels)
    line = " ".join(text.split())
    return f"“{line if len(line) <= limit else line[: limit - 1] + '…'}”"


def latest_by_someone_else(
    emulator: SlackEmulator, say: Say, user: SlackUser, channel: SlackChannel, none_yet: str
) -> Message | None:
    """The newest message someone other than `user` wrote in `channel`; when there is
    none, says so (`none_yet` in #channel yet) and how to write one."""
    written = [
        m
        for m in emulator.messages(channel.id, ephemeral=False)
        if m.source == "user" and m.user != user.id
    ]
    if not written:
        someone = _someone_else(emulator, user)
        say(f"{none_yet} in #{channel.name} yet: try `{someone}: say ...` first.")
        return None
    return written[-1]


def _someone_else(emulator: SlackEmulator, user: SlackUser) -> str:
    people = emulator.users.values()
    other = next(p for p in people if p.id != user.id and not p.is_bot and not p.deleted)
    return str(other.name)
