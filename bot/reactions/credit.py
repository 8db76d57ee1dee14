"""Credit on a message: a credit emoji from the reactor (helped) to the author (helper).

One credit per (reactor, message), whatever the number of credit emoji: its `source_key` names
the message and the reactor, never the emoji. `reaction_marks` holds the credit emoji each
reactor has on a message; the credit is retracted when the last of them is removed, and the
same row is un-retracted when one comes back, so a message never holds two credits from one
reactor and the credit keeps the date it was first given. A credit refused by the fair-use
rules records nothing in the ledger, but its mark stays: the emoji is on the message, and
removing it must not take back a credit given through another one.

Every effect runs in the transaction that marks the event delivered (`first_delivery`), so
Slack's retries and duplicate deliveries change nothing a second time. A removal that finds
no mark may have overtaken its add (Slack retries a failed delivery minutes later): it leaves
a row with its `event_ts` in the mark's place, and an add older than that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, inspect, select, update
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.errors import DailyLimitError, NotAPersonError, UnknownMemberError
from bot.ledger.credits import NewCredit, one_giver_at_a_time
from bot.ledger.record import record
from bot.members.cache import FetchUser, ensure_workspace, find_members
from bot.models import Credit, Member, ReactionMark, Workspace
from bot.reactions.emoji import base_emoji, is_credit_emoji
from bot.reactions.events import NOTHING, Reaction, ReactionOutcome
from bot.slack.deliveries import first_delivery


@dataclass(frozen=True)
class _ReactionSettings:
    credit_emoji: frozenset[str]  # as base names
    quiet: bool  # the reactor turned the confirmations of their credits off


_SETTINGS = (
    select(Workspace.credit_emoji, Member.reaction_confirmations_off)
    .select_from(Workspace)
    .outerjoin(
        Member,
        and_(Member.team_id == Workspace.team_id, Member.user_id == bindparam("reactor_id")),
    )
    .where(Workspace.team_id == bindparam("team_id"))
)


def _settings(session: Session, reaction: Reaction, *, lock: bool) -> _ReactionSettings:
    """The workspace's credit emoji, and whether the reactor wants to hear about a credit; the
    workspace's row is created with the defaults the first time. `lock`: the reactor's lock is
    taken in the same round trip (bot.ledger.credits.one_giver_at_a_time)."""
    params = {"team_id": reaction.team_id, "reactor_id": reaction.reactor_id}
    row: Any
    if lock:
        row = one_giver_at_a_time(session, reaction.team_id, reaction.reactor_id, _SETTINGS, params)
    else:
        row = session.execute(_SETTINGS, params).first()
    if row is None:
        ensure_workspace(session, reaction.team_id)
        row = session.execute(_SETTINGS, params).one()
    emoji, quiet = row[0], row[1]
    return _ReactionSettings(frozenset(base_emoji(name) for name in emoji or ()), bool(quiet))


def reaction_added(
    session: Session, now: datetime, reaction: Reaction, fetch_user: FetchUser
) -> ReactionOutcome:
    """Credit the author, once per (reactor, message) and once per event delivery."""
    # Most reactions are not credit emoji: they write nothing. The reactor's lock comes with
    # the first read: what is read after it sees an add or a remove of the same credit that
    # went first.
    settings = _settings(session, reaction, lock=True)
    if not is_credit_emoji(reaction.emoji, settings.credit_emoji):
        return NOTHING
    # A workspace new to Goodwill had no row to read the lock along with: take it now (for
    # any other, it is held already and nothing is sent).
    one_giver_at_a_time(session, reaction.team_id, reaction.reactor_id)
    if not first_delivery(session, reaction.team_id, reaction.event_id, reaction.event_type, now):
        return NOTHING
    placed = _put_mark(session, now, reaction)
    if placed is None:
        return NOTHING  # its removal arrived first: the emoji is no longer there
    new = NewCredit(
        helper_id=reaction.author_id,
        helped_id=reaction.reactor_id,
        kind="reaction",
        source_key=reaction.source_key,
        channel_id=reaction.channel_id,
        message_ts=reaction.message_ts,
    )
    try:
        written = record(session, now, reaction.team_id, [new], fetch_user, restore=True)
    except (UnknownMemberError, NotAPersonError):
        # Someone from another workspace (Slack Connect), a bot or a former member: nobody
        # to credit here, and no emoji of theirs to keep track of.
        if placed:
            session.execute(delete(ReactionMark).where(*_is_mark(reaction)))
        return NOTHING
    except DailyLimitError as refused:
        # The mark stays (the emoji is there); the credit is not recorded.
        return ReactionOutcome(refusal=refused.user_message)
    if not written:
        return NOTHING  # already credited through another emoji
    return ReactionOutcome(credited=True, confirm=not settings.quiet)


def reaction_removed(session: Session, now: datetime, reaction: Reaction) -> bool:
    """Retract the credit when the reactor's last credit emoji leaves; True if it was.

    Marks are matched by the exact emoji, whatever the workspace's credit emoji are now, so a
    credit given under an older setting can still be taken back.
    """
    counts = is_credit_emoji(reaction.emoji, _settings(session, reaction, lock=False).credit_emoji)
    if not counts and not _is_marked(session, reaction):
        return False
    # An add and a remove delivered at the same moment must not each miss the other's mark.
    one_giver_at_a_time(session, reaction.team_id, reaction.reactor_id)
    if not first_delivery(session, reaction.team_id, reaction.event_id, reaction.event_type, now):
        return False
    removed = session.execute(
        delete(ReactionMark).where(*_is_mark(reaction)).returning(ReactionMark.emoji)
    ).all()
    if not removed:
        _remember_removal(session, now, reaction)
    if _remaining_marks(session, reaction):
        return False
    retracted = session.execute(
        update(Credit)
        .where(Credit.source_key == reaction.source_key, Credit.retracted_at.is_(None))
        .values(retracted_at=now)
        .returning(Credit.id)
    ).all()
    return bool(retracted)


# (team, channel, message, reactor, emoji): one mark per person and emoji on a message.
_MARK_KEY = tuple(column.name for column in inspect(ReactionMark).primary_key)


def _mark(reaction: Reaction, now: datetime) -> dict[str, Any]:
    return {
        "team_id": reaction.team_id,
        "channel_id": reaction.channel_id,
        "message_ts": reaction.message_ts,
        "reactor_id": reaction.reactor_id,
        "emoji": reaction.emoji,
        "author_id": reaction.author_id,
        "created_at": now,
    }


def _reactors_of(reaction: Reaction) -> Iterable[Any]:
    return (
        ReactionMark.team_id == reaction.team_id,
        ReactionMark.channel_id == reaction.channel_id,
        ReactionMark.message_ts == reaction.message_ts,
        ReactionMark.reactor_id == reaction.reactor_id,
    )


def _reactors_marks(reaction: Reaction) -> Iterable[Any]:
    return (*_reactors_of(reaction), ReactionMark.removed_ts.is_(None))


def _is_mark(reaction: Reaction) -> Iterable[Any]:
    return (*_reactors_marks(reaction), ReactionMark.emoji == reaction.emoji)


def _removal_of(session: Session, reaction: Reaction) -> ReactionMark | None:
    """The record of this emoji's removal, when the removal came before any add."""
    query = select(ReactionMark).where(
        *_reactors_of(reaction),
        ReactionMark.emoji == reaction.emoji,
        ReactionMark.removed_ts.is_not(None),
    )
    return session.scalars(query).first()


def _put_mark(session: Session, now: datetime, reaction: Reaction) -> bool | None:
    """Mark this emoji on the message: True when this put the mark there, False when it was
    there already, None when its removal, delivered first, is newer than this add (the
    emoji is gone, and nothing changes). An add newer than the removal (the emoji put back)
    turns the removal's record into the mark."""
    if insert_new(session, ReactionMark, [_mark(reaction, now)], _MARK_KEY):
        return True
    removal = _removal_of(session, reaction)
    if removal is None:
        return False
    added, removed = _slack_time(reaction.event_ts), _slack_time(removal.removed_ts)
    if added is not None and removed is not None and removed >= added:
        return None
    removal.removed_ts = None
    removal.author_id = reaction.author_id
    removal.created_at = now
    session.flush()
    return True


# How long a removal that arrived before its add is remembered (the tick's sweep deletes it
# after that): Slack retries a failed delivery at most three times, within minutes, so a day
# leaves a wide margin.
REMOVALS_KEPT = timedelta(days=1)


def _remember_removal(session: Session, now: datetime, reaction: Reaction) -> None:
    """A removal with no mark to delete: its add may still be on its way (a retry).

    Only where that add would credit someone: between two active people the members cache
    knows (a bot's or a former member's message never held a mark).
    """
    removed_at = _slack_time(reaction.event_ts)
    if removed_at is None:
        return  # an add could not be told older or newer
    people = find_members(session, reaction.team_id, (reaction.reactor_id, reaction.author_id))
    if len(people) < 2 or not all(person.can_receive_credit for person in people.values()):
        return
    removal = _removal_of(session, reaction)
    if removal is None:
        session.add(ReactionMark(**_mark(reaction, now), removed_ts=reaction.event_ts))
    elif (_slack_time(removal.removed_ts) or 0) < removed_at:
        removal.removed_ts = reaction.event_ts


def _slack_time(ts: str | None) -> Decimal | None:
    """Slack's `1764000000.000100`, as a number that orders correctly; None if it is not one
    (or would not fit `removed_ts`)."""
    if not ts or len(ts) > MAX_SLACK_TS:
        return None
    try:
        time = Decimal(ts)
    except InvalidOperation:
        return None
    return time if time.is_finite() else None


MAX_SLACK_TS = 32  # reaction_marks.removed_ts


def _remaining_marks(session: Session, reaction: Reaction) -> int:
    query = select(func.count()).select_from(ReactionMark).where(*_reactors_marks(reaction))
    return session.scalar(query) or 0


def _is_marked(session: Session, reaction: Reaction) -> bool:
    return session.scalar(select(ReactionMark.emoji).where(*_is_mark(reaction))) is not None
