"""The thanks messages the bot posts in channels, kept so that taking a thanks back can edit
them (bot.favours.undo).

Each is kept after it was posted, in a transaction of its own, apart from the credits it
celebrates: under the key their source_keys share (bot.thanks.give.thanks_key), so it is found
from any one of them. It keeps who it named, one by one and as teams; the reasons and tags
are read from the credits again, so that what forget-me removed from them stays removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.models import Celebration, Credit
from bot.prompts.answers import PUBLIC, Answer
from bot.prompts.blocks import celebration
from bot.slack.messages import Message
from bot.thanks.blocks import thanks_message, thanks_taken_back
from bot.thanks.parsing import MentionedGroup

THANKS, PROMPT = "thanks", "prompt"  # bot.models.CELEBRATION_LAYOUTS


@dataclass(frozen=True)
class Celebrated:
    """What a celebration shows: the people named one by one, in order, and each user group
    thanked with its members credited as part of it. `layout`: THANKS, one reason for all
    (a /thanks, the thanks form), or PROMPT, each person with what they did (the weekly
    prompt)."""

    thanks_key: str
    thanker_id: str
    named: tuple[str, ...]
    groups: tuple[tuple[MentionedGroup, tuple[str, ...]], ...] = ()
    layout: str = THANKS


@dataclass(frozen=True)
class CelebrationNow:
    """A kept celebration after one of its thanks was taken back: where it is, and what it
    says now; `anyone_left` False when it says the thanks were taken back."""

    channel_id: str
    ts: str
    message: Message
    anyone_left: bool


def keep_celebration(
    session: Session, team_id: str, celebrated: Celebrated, channel_id: str, ts: str
) -> None:
    """Keep where a celebration was posted; a second post of the same thanks keeps nothing."""
    row = {
        "thanks_key": celebrated.thanks_key,
        "team_id": team_id,
        "thanker_id": celebrated.thanker_id,
        "channel_id": channel_id,
        "ts": ts,
        "layout": celebrated.layout,
        "named": list(celebrated.named),
        "groups": [
            {"id": group.group_id, "handle": group.handle, "members": list(members)}
            for group, members in celebrated.groups
        ],
    }
    insert_new(session, Celebration, [row], ["thanks_key"])


def celebration_now(session: Session, credit: Credit) -> CelebrationNow | None:
    """The kept celebration of `credit`, a thanks just taken back, as it should read now:
    naming only those whose thanks still stand (a group while any of its members' does),
    or saying the thanks were taken back. None when none was kept (not a thanks, or
    celebrated by a command's answer, or out of reach of the bot)."""
    if credit.kind != "thanks":
        return None
    key = credit.source_key.rpartition(":")[0]
    kept = session.get(Celebration, key)
    if kept is None or kept.team_id != credit.team_id:
        return None
    people = dict.fromkeys(kept.named)
    for group in kept.groups:
        people.update(dict.fromkeys(group["members"]))
    found = session.scalars(
        select(Credit).where(Credit.source_key.in_([f"{key}:{person}" for person in people]))
    ).all()
    # `credit` is among them as this session changed it: retracted.
    standing = {row.helper_id: row for row in found if row.retracted_at is None}
    message = _render(kept, standing)
    if message is None:
        return CelebrationNow(kept.channel_id, kept.ts, thanks_taken_back(kept.thanker_id), False)
    return CelebrationNow(kept.channel_id, kept.ts, message, True)


def forget_celebrations(session: Session, team_id: str, member_id: str) -> None:
    """Forget-me: the celebrations of their thanks go, and they are taken off the others'."""
    session.execute(
        delete(Celebration).where(
            Celebration.team_id == team_id, Celebration.thanker_id == member_id
        )
    )
    quoted = f'%"{member_id}"%'
    naming = session.scalars(
        select(Celebration).where(
            Celebration.team_id == team_id,
            or_(
                cast(Celebration.named, String).like(quoted),
                cast(Celebration.groups, String).like(quoted),
            ),
        )
    ).all()
    for kept in naming:
        kept.named = [person for person in kept.named if person != member_id]
        kept.groups = [
            {**group, "members": [m for m in group["members"] if m != member_id]}
            for group in kept.groups
        ]


def _render(kept: Celebration, standing: dict[str, Credit]) -> Message | None:
    named = [person for person in kept.named if person in standing]
    if kept.layout == PROMPT:
        answers = [Answer(person, standing[person].reason or "", PUBLIC) for person in named]
        return celebration(kept.thanker_id, answers) if answers else None
    groups = [
        MentionedGroup(group["id"], group["handle"])
        for group in kept.groups
        if any(member in standing for member in group["members"])
    ]
    if not named and not groups:
        return None
    # One reason and one set of tags for every credit of a /thanks or a form.
    first = next(iter(standing.values()))
    return thanks_message(
        tuple(named), kept.thanker_id, first.reason or "", tuple(first.values), groups
    )
