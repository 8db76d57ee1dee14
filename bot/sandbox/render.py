"""Plain-text renderings of messages and views, for people trying the bot in a terminal.

Slack's mrkdwn is kept as people would read it (`*bold*` stays as typed) except for the parts a
terminal cannot show: `<@U123>` becomes `@name`, `<#C123>` becomes `#channel`, links become
`label (url)`, and Slack's three HTML escapes are undone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slack_emulator import Message, SlackChannel, SlackUser, UploadedFile

RULE = "-" * 40
FILE_LINES_SHOWN = 6
INDENT = "  "
_ANGLE = re.compile(r"<([^<>\n]+)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_BROADCASTS = ("here", "channel", "everyone")


class _Names:
    """Looks people and channels up by id, falling back to what the text itself says."""

    def __init__(
        self, users: Mapping[str, SlackUser], channels: Mapping[str, SlackChannel]
    ) -> None:
        self.users = users
        self.channels = channels

    def person(self, user_id: str, label: str = "") -> str:
        user = self.users.get(user_id)
        return "@" + (user.shown_name if user is not None else label.lstrip("@") or user_id)

    def channel(self, channel_id: str, label: str = "") -> str:
        channel = self.channels.get(channel_id)
        return "#" + (channel.name if channel is not None else label or channel_id)

    def author(self, user_id: str) -> str:
        user = self.users.get(user_id)
        if user is None:
            return user_id
        return user.display_name or user.real_name or user.name

    def where(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        if channel is not None and channel.is_im:
            others = [self.person(m) for m in sorted(channel.members) if not self._is_bot(m)]
            return f"DM with {', '.join(others)}" if others else "DM"
        return self.channel(channel_id)

    def _is_bot(self, user_id: str) -> bool:
        user = self.users.get(user_id)
        return user is not None and user.is_bot

    def mrkdwn(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            target, _, label = match.group(1).partition("|")
            if target.startswith("@"):
                return self.person(target[1:], label)
            if target.startswith("#"):
                return self.channel(target[1:], label)
            if target.startswith("!"):
                special = target[1:]
                if special in _BROADCASTS:
                    return "@" + special
                # Dates and user groups carry their own fallback text after the bar.
                return label or "@" + special.split("^")[0]
            shown = target.removeprefix("mailto:")
            return f"{label} ({shown})" if label and label != shown else shown

        out = _ANGLE.sub(replace, text)
        for entity, char in _ENTITIES:
            out = out.replace(entity, char)
        return out

    def text(self, obj: object) -> str:
        """A text object, or a bare string (taken as mrkdwn, as Slack takes message text)."""
        if isinstance(obj, str):
            return self.mrkdwn(obj)
        if not isinstance(obj, dict):
            return ""
        raw = str(obj.get("text", ""))
        return self.mrkdwn(raw) if obj.get("type") == "mrkdwn" else raw


def _element(element: Any, names: _Names) -> str:
    if not isinstance(element, dict):
        return ""
    kind = str(element.get("type", ""))
    if kind == "button":
        return f"[{names.text(element.get('text'))}]"
    if kind == "image":
        return str(element.get("alt_text", "image"))
    if kind in ("plain_text", "mrkdwn"):
        return names.text(element)
    if kind == "overflow":
        return "[...]"
    if kind in ("checkboxes", "radio_buttons"):
        empty, ticked = ("[ ]", "[x]") if kind == "checkboxes" else ("( )", "(o)")
        initial = element.get("initial_options") or [element.get("initial_option")]
        values = {o.get("value") for o in initial if isinstance(o, dict)}
        options = element.get("options") or []
        return "  ".join(
            f"{ticked if o.get('value') in values else empty} {names.text(o.get('text'))}"
            for o in options
        )
    if kind.endswith("_input"):  # plain text, number, email, url: the value set, if any
        return f"[{element.get('initial_value') or '____'}]"
    if kind in ("datepicker", "timepicker"):
        return f"[{element.get('initial_date') or element.get('initial_time') or 'pick one'}]"
    if kind.endswith("_select"):
        chosen = _chosen(element, names)
        placeholder = names.text(element.get("placeholder")) or "Choose"
        return f"[{chosen or placeholder} v]"
    return f"[{kind}]"


def _chosen(element: dict[str, Any], names: _Names) -> str:
    """What a select shows as chosen when it opens: its initial people, channels or options."""
    people = element.get("initial_users") or [element.get("initial_user")]
    places = [
        *(element.get("initial_conversations") or element.get("initial_channels") or []),
        element.get("initial_conversation") or element.get("initial_channel"),
    ]
    options = element.get("initial_options") or [element.get("initial_option")]
    shown = [names.person(p) for p in people if isinstance(p, str)]
    shown += [names.channel(c) for c in places if isinstance(c, str)]
    shown += [names.text(o.get("text")) for o in options if isinstance(o, dict)]
    return ", ".join(shown)


def _rich(element: Any, names: _Names) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text", ""))
    if kind == "user":
        return names.person(str(element.get("user_id", "")))
    if kind == "channel":
        return names.channel(str(element.get("channel_id", "")))
    if kind == "link":
        url = str(element.get("url", ""))
        return f"{element['text']} ({url})" if element.get("text") else url
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "broadcast":
        return "@" + str(element.get("range", "here"))
    children = element.get("elements") or []
    if kind == "rich_text_list":
        return "\n".join("• " + _rich(child, names) for child in children)
    inner = "".join(_rich(child, names) for child in children)
    if kind == "rich_text_quote":
        return "\n".join("> " + line for line in inner.splitlines())
    return inner


def _block(block: Any, names: _Names) -> list[str]:
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    if kind == "section":
        lines = names.text(block.get("text")).splitlines()
        for field in block.get("fields") or []:
            lines.extend(names.text(field).splitlines())
        if block.get("accessory"):
            accessory = _element(block["accessory"], names)
            lines = [*lines[:-1], f"{lines[-1]}  {accessory}"] if lines else [accessory]
        return lines
    if kind == "header":
        title = names.text(block.get("text"))
        return [title, "=" * max(len(title), 3)]
    if kind == "divider":
        return [RULE]
    if kind == "context":
        return [" | ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "actions":
        return [" ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "input":
        label = names.text(block.get("label"))
        lines = [f"{label}: {_element(block.get('element'), names)}"]
        if block.get("hint"):
            lines.append(f"{INDENT}{names.text(block['hint'])}")
        return lines
    if kind == "rich_text":
        return [line for e in block.get("elements") or [] for line in _rich(e, names).splitlines()]
    if kind == "markdown":
        return str(block.get("text", "")).splitlines()
    return [f"[{kind} block]"]


def _blocks(blocks: Any, names: _Names) -> list[str]:
    return [line for block in blocks or [] for line in _block(block, names)]


def _attachment(attachment: Any, names: _Names) -> list[str]:
    if not isinstance(attachment, dict):
        return []
    lines: list[str] = []
    for key in ("pretext", "title", "text"):
        lines.extend(names.mrkdwn(str(attachment.get(key) or "")).splitlines())
    for field in attachment.get("fields") or []:
        lines.append(f"{field.get('title', '')}: {names.mrkdwn(str(field.get('value', '')))}")
    lines.extend(_blocks(attachment.get("blocks"), names))
    if not lines and attachment.get("fallback"):
        lines.append(str(attachment["fallback"]))
    return [f"| {line}" for line in lines]


def render_text(
    text: str, users: Mapping[str, SlackUser], channels: Mapping[str, SlackChannel]
) -> str:
    """Message text (mrkdwn) as a terminal shows it."""
    return _Names(users, channels).mrkdwn(text)


def render_message(
    message: Message, users: Mapping[str, SlackUser], channels: Mapping[str, SlackChannel]
) -> str:
    """A header naming where and from whom, then the message's blocks (or its text)."""
    names = _Names(users, channels)
    where = names.where(message.channel)
    if message.thread_ts is not None and message.thread_ts != message.ts:
        where += " (in thread)"
    private = ""
    if message.ephemeral_for is not None:
        # The sandbox plays several people at once: say which one sees it.
        private = f"(only visible to {names.person(message.ephemeral_for)}) "
    header = f"{where}  {private}{names.author(message.user)}:"
    if message.deleted:
        return f"{header} (deleted)"
    if message.edited:
        header += " (edited)"
    body = (
        _blocks(message.blocks, names)
        if message.blocks
        else names.mrkdwn(message.text).splitlines()
    )
    body.extend(line for a in message.attachments for line in _attachment(a, names))
    return "\n".join([header, *(INDENT + line if line else "" for line in body)])


def render_view(
    view: Mapping[str, Any],
    users: Mapping[str, SlackUser] | None = None,
    channels: Mapping[str, SlackChannel] | None = None,
) -> str:
    """A modal or Home tab: its title, its blocks, then a modal's buttons."""
    names = _Names(users or {}, channels or {})
    is_modal = view.get("type") == "modal"
    title = names.text(view.get("title")) or ("Modal" if is_modal else "Home")
    lines = [f"[ {title} ]", *(INDENT + line for line in _blocks(view.get("blocks"), names))]
    if is_modal:
        close = names.text(view.get("close")) or "Cancel"
        buttons = [f"[{close}]"]
        if view.get("submit"):
            buttons.append(f"[{names.text(view['submit'])}]")
        lines.append(INDENT + " ".join(buttons))
    return "\n".join(lines)


def render_file(file: UploadedFile) -> str:
    """A shared file (the admins' CSV export): its name, size and first lines, as Slack's
    preview shows them."""
    lines = file.content.decode("utf-8-sig", errors="replace").splitlines()
    header = f"{INDENT}[file {file.filename}: {len(lines):,} lines, {file.size:,} bytes]"
    shown = [f"{INDENT}| {line}" for line in lines[:FILE_LINES_SHOWN]]
    if len(lines) > FILE_LINES_SHOWN:
        shown.append(f"{INDENT}| …")
    return "\n".join([header, *shown])
