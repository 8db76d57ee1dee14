"""`/favor note …` text into a command. Pure: no database, no Slack.

/favor note @someone <text>     keeps the note (cut to NOTE_MAX characters, said so)
/favor note @someone            shows it
/favor note @someone clear      removes it
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models.boundaries import NOTE_MAX
from bot.thanks.parsing import USER_MENTION

USAGE = (
    "Type `/favor note @someone what they're working towards` to keep a private note, "
    "`/favor note @someone` to read it, `/favor note @someone clear` to remove it."
)


@dataclass(frozen=True)
class FavorNote:
    """`text` None: show the note; "" with `clear`: remove it."""

    subject_id: str
    text: str | None = None
    clear: bool = False
    cut: bool = False  # the text was longer than a note holds, and was cut


def parse_note(rest: str) -> FavorNote | str:
    """The command, or what was wrong."""
    mention = USER_MENTION.match(rest)
    if mention is None:
        return USAGE
    subject_id = mention.group(1)
    text = " ".join(rest[mention.end() :].split())
    if not text:
        return FavorNote(subject_id)
    if text.casefold() == "clear":
        return FavorNote(subject_id, clear=True)
    if USER_MENTION.fullmatch(text.split(" ")[0]):
        return "A note is about one person at a time. " + USAGE
    if len(text) <= NOTE_MAX:
        return FavorNote(subject_id, text)
    return FavorNote(subject_id, cut_note(text), cut=True)


def cut_note(text: str) -> str:
    """`text` cut to fit a note, at a space where there is one, never inside a mention."""
    head = text[: NOTE_MAX - 1]
    if " " in head[NOTE_MAX // 2 :]:
        head = head.rsplit(" ", 1)[0]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    return head.rstrip() + "…"
