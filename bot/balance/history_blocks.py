"""`/favor history` and `/favor undo`: a member's own entries, privately."""

from __future__ import annotations

from collections.abc import Sequence

from bot.balance.history import Entry
from bot.favours.blocks import SIZE_WORDS, context, one_line, section
from bot.slack.messages import Message, counted, mention

REASON_SHOWN = 100
MAX_SECTION = 2_900


def history_message(member_id: str, entries: Sequence[Entry]) -> Message:
    if not entries:
        return {
            "response_type": "ephemeral",
            "text": "Nothing here yet. `/thanks @someone` or `/favor @someone what they did` "
            "start your history.",
        }
    lines = [_line(member_id, entry) for entry in entries]
    blocks: list[dict[str, object]] = [
        section(_heading(len(entries))),
        *(section(chunk) for chunk in _chunks(lines)),
        context("Only you can see this. `/favor undo` takes back your last one within 24 hours."),
    ]
    return {
        "response_type": "ephemeral",
        "text": "Your history (only you can see this)",
        "blocks": blocks,
    }


def _heading(count: int) -> str:
    shown = "entry" if count == 1 else counted(count, "entry", "entries")
    return f"*Your last {shown}*, newest first"


def _line(member_id: str, entry: Entry) -> str:
    stamp = int(entry.created_at.timestamp())
    when = f"<!date^{stamp}^{{date_short}}|{entry.created_at:%Y-%m-%d}>"
    line = f"{when} · {entry_sentence(entry, member_id)}"
    if entry.reason:
        line += f": {one_line(entry.reason, REASON_SHOWN)}"
    if entry.retracted_at is not None:
        line = f"~{line}~ _(undone)_"
    return f"• {line}"


def entry_sentence(entry: Entry, member_id: str) -> str:
    """The entry as `member_id` reads it."""
    helper, helped = mention(entry.helper_id), mention(entry.helped_id)
    size = SIZE_WORDS.get(entry.weight, "small")
    if entry.helped_id == member_id:
        if entry.kind == "favor":
            return f"{helper} did you a {size} favour"
        if entry.kind == "reaction":
            return f"you reacted to {helper}'s message"
        return f"you thanked {helper}"
    if entry.kind == "favor":
        return f"you did {helped} a {size} favour"
    if entry.kind == "reaction":
        return f"{helped} reacted to your message"
    return f"{helped} thanked you"


def _chunks(lines: Sequence[str]) -> list[str]:
    """Lines joined into texts a section can hold."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
