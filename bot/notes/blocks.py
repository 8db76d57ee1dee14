"""What Goodwill says about private notes: to their writer only."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from bot.favours.blocks import context, section
from bot.models.boundaries import NOTE_MAX
from bot.notes.rules import Note
from bot.slack.messages import Message, counted, ephemeral, mention

Block = dict[str, Any]
ONLY_YOU = "Only you can see it."


def note_kept(note: Note, cut: bool) -> Message:
    text = f":memo: Your note about {mention(note.subject_id)} is kept. {ONLY_YOU}"
    if cut:
        text += f" It was longer than {NOTE_MAX} characters, so it was cut to: {note.text}"
    return ephemeral(text)


def note_shown(subject_id: str, text: str | None) -> Message:
    if text is None:
        return ephemeral(
            f"You have no note about {mention(subject_id)}. "
            f"`/favor note @someone what they're working towards` keeps one; {ONLY_YOU.lower()}"
        )
    return ephemeral(f":memo: Your note about {mention(subject_id)}: {text}\n_{ONLY_YOU}_")


def note_cleared(subject_id: str, removed: bool) -> Message:
    if removed:
        return ephemeral(f"Your note about {mention(subject_id)} is removed.")
    return ephemeral(f"You had no note about {mention(subject_id)}, so nothing changed.")


def note_beside(notes: Mapping[str, str], user_id: str) -> str:
    """A person's line on the Home, with the member's note about them."""
    text = notes.get(user_id)
    return f"\n      :memo: _{text}_" if text else ""


def home_notes_blocks(notes: list[Note], total: int, beside: Collection[str]) -> list[Block]:
    """The member's notes not already shown beside someone on their Home."""
    rest = [note for note in notes if note.subject_id not in beside]
    if not rest:
        return []
    lines = [f"• {mention(note.subject_id)}: {note.text}" for note in rest]
    blocks: list[Block] = [section("*Your private notes*\n" + "\n".join(lines))]
    more = total - len(notes)
    words = f"{ONLY_YOU} `/favor note @someone` shows one, `… clear` removes it."
    if more > 0:
        words += f" …and {counted(more, 'more note')}."
    return [*blocks, context(words)]
