"""The interactive sandbox: type `alice: /thanks @bob for the review` and see what the bot does."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from bot.deps import utc_now
from bot.sandbox.gestures import GESTURES_HELP, Gestures, writes
from bot.sandbox.harness import Sandbox
from bot.sandbox.render import render_file, render_message
from bot.slack.ids import COMMANDS
from bot.thanks.parsing import escape_text
from slack_emulator import Message

DEFAULT_CHANNEL = "general"

# What can still be done in an archived channel: bring it back, or look at the Home.
_IN_AN_ARCHIVE = frozenset({"archive", "unarchive", "home"})
_LINE = re.compile(r"^\s*(?P<who>[\w.-]+)(?:\s+in\s+#(?P<channel>[\w-]+))?\s*:\s*(?P<text>.*)$")
_AT_NAME = re.compile(r"(?<![<\w])@([\w.-]+)")
_HASH_NAME = re.compile(r"(?<![<\w&])#([\w-]+)")

HELP = f"""\
Type what someone in the workspace does, as `person: /command text`, for example:
  alice: /thanks @bob for the review #teamwork
  carol in #engineering: /thanks @dave @erin for fixing the build
Commands: {", ".join(sorted(COMMANDS))}. Other words: `people`, `channels`, `help`, `quit`.
Messages are posted in #{DEFAULT_CHANNEL} unless you say `in #channel`.
`tick 2026-11-30T09:05Z` runs the scheduler as if at that instant (digest, nudges, prompts).
{GESTURES_HELP}"""


class SandboxShell:
    def __init__(self, sandbox: Sandbox, out: TextIO) -> None:
        self.sandbox = sandbox
        self.emulator = sandbox.emulator
        self.out = out
        self.gestures = Gestures(sandbox, self._say, self._escape)
        self._files_shown = len(self.emulator.uploaded_files)
        self.emulator.subscribe(self._show)

    def _show(self, message: Message) -> None:
        rendered = render_message(message, self.emulator.users, self.emulator.channels)
        print(rendered, file=self.out, flush=True)
        # A file is shared before the message that carries it: show it with that message.
        files = self.emulator.uploaded_files
        for file in files[self._files_shown :]:
            if message.channel in file.channels:
                print(render_file(file), file=self.out, flush=True)
        self._files_shown = len(files)

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Act on one line; False when the person asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line in {"quit", "exit"}:
            return False
        if line == "help":
            self._say(HELP)
        elif line == "people":
            for user in self.emulator.users.values():
                note = " (bot)" if user.is_bot else " (deactivated)" if user.deleted else ""
                self._say(f"  @{user.name}  {user.real_name}{note}")
        elif line == "channels":
            for channel in self.emulator.channels.values():
                if not channel.is_im:
                    self._say(f"  #{channel.name}")
        elif line.startswith("tick"):
            self._tick(line.removeprefix("tick").strip())
        else:
            self._run(line)
        return True

    def _tick(self, when: str) -> None:
        try:
            at = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else utc_now()
        except ValueError:
            self._say("Give the instant as ISO 8601, e.g. `tick 2026-11-30T09:05Z`.")
            return
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        planned, sent = self.sandbox.tick(at)
        self._say(f"(tick at {at.isoformat()}: {planned.planned} planned, {sent.sent} sent)")

    def _run(self, line: str) -> None:
        match = _LINE.match(line)
        if match is None:
            self._say("I didn't follow that. " + HELP.splitlines()[1].strip() + " (or `help`)")
            return
        user = self.emulator.user_by_name(match["who"])
        if user is None:
            self._say(f"No one called {match['who']!r} here. Type `people` to see who is.")
            return
        channel = self.emulator.channel_by_name(match["channel"] or DEFAULT_CHANNEL)
        if channel is None:
            self._say(f"There is no #{match['channel']}. Type `channels` to see them.")
            return
        if user.deleted:
            self._say(f"@{user.name}'s account is deactivated: Slack lets them do nothing.")
            return
        if user.is_bot and not writes(match["text"]):
            self._say(f"@{user.name} is a bot: it can `say` things; Slack lets bots do no more.")
            return
        if channel.is_archived and match["text"].strip().casefold() not in _IN_AN_ARCHIVE:
            self._say(
                f"#{channel.name} is archived: Slack lets no one write, react or run a command "
                f"there. `{user.name} in #{channel.name}: unarchive` brings it back."
            )
            return
        if not match["text"].startswith("/"):
            if not self.gestures.do(user, channel, match["text"]):
                self._say(f"I didn't follow {match['text']!r}. Type `help` to see what works.")
            return
        self.gestures.look_away(user)
        command, _, text = match["text"].partition(" ")
        if command not in COMMANDS:
            self._say(f"{command} is not a command here. Try {', '.join(sorted(COMMANDS))}.")
            return
        open_before = set(self.emulator.open_views)
        delivery, _ = self.sandbox.driver.slash_command(
            user.id, command, self._escape(text), channel.id
        )
        if delivery.status != 200:
            self._say(f"(the bot answered HTTP {delivery.status}: {delivery.body[:200]})")
        self.gestures.show_new_forms(user, open_before)  # e.g. /favor settings

    def _escape(self, text: str) -> str:
        """Do what Slack does to command text when the command escapes mentions."""
        text = escape_text(text)

        def person(match: re.Match[str]) -> str:
            user = self.emulator.user_by_name(match[1])
            return f"<@{user.id}|{user.name}>" if user else match[0]

        def channel(match: re.Match[str]) -> str:
            found = self.emulator.channel_by_name(match[1])
            return f"<#{found.id}|{found.name}>" if found else match[0]

        for special in ("channel", "here", "everyone"):
            text = re.sub(rf"(?<![<\w])@{special}\b", f"<!{special}>", text)
        return _HASH_NAME.sub(channel, _AT_NAME.sub(person, text))


def _lines(source: TextIO, out: TextIO, *, echo: bool) -> Iterator[str]:
    interactive = source.isatty() and not echo
    while True:
        if interactive:
            try:
                line = input("goodwill> ")
            except EOFError:
                print(file=out)
                return
        else:
            line = source.readline()
            if not line:
                return
            if echo and line.strip() and not line.lstrip().startswith("#"):
                print(f"> {line.rstrip()}", file=out, flush=True)
        yield line


def run_shell(sandbox: Sandbox, source: TextIO, out: TextIO = sys.stdout, *, echo: bool) -> None:
    """Read lines until the end of input or `quit`."""
    shell = SandboxShell(sandbox, out)
    if not echo:
        print(HELP, file=out, flush=True)
    lines: Iterable[str] = _lines(source, out, echo=echo)
    try:
        for line in lines:
            if not shell.handle(line):
                break
            _wait_for_follow_ups(sandbox)
    except KeyboardInterrupt:
        print(file=out)


def _wait_for_follow_ups(sandbox: Sandbox) -> None:
    """What the app does after answering (a /thanks's celebration) shows before the next line."""
    with contextlib.suppress(TimeoutError):  # it shows when it is done
        sandbox.settle()
