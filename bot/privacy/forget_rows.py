"""Forgetting a member's activity beyond the ledger: asks and offers, answers, reaction
records, mentions in other people's words, and scheduled messages. Used by
`bot.privacy.forget`, inside its transaction."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.ledger.credits import reason_key
from bot.models import (
    Credit,
    FavorRequest,
    FavorResponse,
    OutboxMessage,
    ReactionMark,
    UTCDateTime,
)
from bot.suggestions.skills import forget_suggestions

# What stands in for a forgotten person mentioned in someone else's words.
SOMEONE = "someone"
# Names shorter than this are too likely to match other words in a scheduled message.
MIN_NAME_MATCH = 3
NOT_SENT = "not sent: a person it concerns asked Goodwill to forget them"


@dataclass(frozen=True)
class MessageRef:
    """One of Goodwill's own Slack messages: an ask or offer they posted in a channel, or the
    DM that told an author about their answer."""

    channel_id: str
    ts: str
    what: str  # "ask", "offer" or "answer"


@dataclass(frozen=True)
class Activity:
    requests_cleared: int
    requests_withdrawn: int
    answers: int
    reaction_records: int
    mentions_removed: int
    scheduled_messages: int
    messages: tuple[MessageRef, ...]


def forget_activity(
    session: Session,
    now: datetime,
    team_id: str,
    member_id: str,
    alias: str,
    names: tuple[str, ...],
) -> Activity:
    # Answers first: whether a request is still open decides what happens to an answer.
    answers, answer_dms = _answers(session, team_id, member_id, alias)
    cleared, withdrawn, posts = _requests(session, now, team_id, member_id, alias)
    forget_suggestions(session, team_id, member_id)
    return Activity(
        requests_cleared=cleared,
        requests_withdrawn=withdrawn,
        answers=answers,
        reaction_records=_reaction_marks(session, team_id, member_id),
        mentions_removed=_mentions(session, team_id, member_id),
        scheduled_messages=_outbox(session, team_id, member_id, alias, names),
        messages=posts + answer_dms,
    )


def _answers(
    session: Session, team_id: str, member_id: str, alias: str
) -> tuple[int, tuple[MessageRef, ...]]:
    """Answers to requests still open are withdrawn (nobody could follow them up with a
    pseudonym); answers to closed ones stay, under the pseudonym."""
    rows = session.execute(
        select(
            FavorResponse.request_id,
            FavorResponse.dm_channel_id,
            FavorResponse.dm_ts,
            FavorRequest.status,
        )
        .join(FavorRequest, FavorRequest.id == FavorResponse.request_id)
        .where(FavorRequest.team_id == team_id, FavorResponse.user_id == member_id)
    ).all()
    pending = [row.request_id for row in rows if row.status == "open"]
    closed = [row.request_id for row in rows if row.status != "open"]
    mine = FavorResponse.user_id == member_id
    if pending:
        session.execute(delete(FavorResponse).where(mine, FavorResponse.request_id.in_(pending)))
    if closed:
        session.execute(
            update(FavorResponse)
            .where(mine, FavorResponse.request_id.in_(closed))
            .values(user_id=alias, dm_channel_id=None, dm_ts=None)
        )
    dms = tuple(
        MessageRef(row.dm_channel_id, row.dm_ts, "answer")
        for row in rows
        if row.status == "open" and row.dm_channel_id and row.dm_ts
    )
    return len(rows), dms


def _requests(
    session: Session, now: datetime, team_id: str, member_id: str, alias: str
) -> tuple[int, int, tuple[MessageRef, ...]]:
    """Their asks and offers lose their words (open ones are withdrawn), and the DMs that told
    them about answers are cleared; requests they answered name the pseudonym."""
    theirs = (FavorRequest.team_id == team_id, FavorRequest.author_id == member_id)
    rows = session.execute(
        select(
            FavorRequest.id,
            FavorRequest.kind,
            FavorRequest.channel_id,
            FavorRequest.message_ts,
            FavorRequest.status,
        ).where(*theirs)
    ).all()
    still_open = FavorRequest.status == "open"
    session.execute(
        update(FavorRequest)
        .where(*theirs)
        .values(
            author_id=alias,
            text="",
            message_ts=None,
            status=case((still_open, "withdrawn"), else_=FavorRequest.status),
            closed_at=case((still_open, literal(now, UTCDateTime())), else_=FavorRequest.closed_at),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(FavorRequest)
        .where(FavorRequest.team_id == team_id, FavorRequest.counterpart_id == member_id)
        .values(counterpart_id=alias)
        .execution_options(synchronize_session=False)
    )
    posts = [MessageRef(r.channel_id, r.message_ts, r.kind) for r in rows if r.message_ts]
    # Those DMs are with them: kept, they would point from the pseudonym to their DM.
    kinds = {row.id: row.kind for row in rows}
    told = session.execute(
        select(FavorResponse.request_id, FavorResponse.dm_channel_id, FavorResponse.dm_ts).where(
            FavorResponse.request_id.in_(kinds), FavorResponse.dm_ts.is_not(None)
        )
    ).all()
    if told:
        session.execute(
            update(FavorResponse)
            .where(FavorResponse.request_id.in_(kinds))
            .values(dm_channel_id=None, dm_ts=None)
        )
    posts += [
        MessageRef(t.dm_channel_id, t.dm_ts, kinds[t.request_id]) for t in told if t.dm_channel_id
    ]
    withdrawn = sum(1 for row in rows if row.status == "open")
    return len(rows), withdrawn, tuple(posts)


def _reaction_marks(session: Session, team_id: str, member_id: str) -> int:
    """A mark names a Slack message and whoever wrote it, so a pseudonym in it would give
    the person away: the marks go (their credits stay, and can no longer be retracted by
    removing the emoji)."""
    removed = session.execute(
        delete(ReactionMark)
        .where(
            ReactionMark.team_id == team_id,
            or_(ReactionMark.reactor_id == member_id, ReactionMark.author_id == member_id),
        )
        .returning(ReactionMark.emoji)
    ).all()
    return len(removed)


def _mentions(session: Session, team_id: str, member_id: str) -> int:
    """`<@them>` in other people's reasons, asks and offers becomes "someone"."""
    pattern = re.compile(rf"<@{re.escape(member_id)}(?:\|[^>]*)?>")
    total = 0
    columns: tuple[tuple[Any, InstrumentedAttribute[Any]], ...] = (
        (Credit, Credit.reason),
        (FavorRequest, FavorRequest.text),
    )
    for model, column in columns:
        rows = session.execute(
            select(model.id, column).where(
                model.team_id == team_id, column.contains(f"<@{member_id}", autoescape=True)
            )
        ).all()
        for row_id, text in rows:
            cleaned, found = pattern.subn(SOMEONE, text)
            if found:
                values: dict[str, Any] = {column.key: cleaned}
                if model is Credit:  # the rule compares the words as they now are
                    values["reason_key"] = reason_key(cleaned)
                session.execute(
                    update(model)
                    .where(model.id == row_id)
                    .values(values)
                    .execution_options(synchronize_session=False)
                )
                total += found
    return total


def _outbox(
    session: Session, team_id: str, member_id: str, alias: str, names: tuple[str, ...]
) -> int:
    """Messages to them or about them lose their content (and are cancelled if not sent
    yet); digests that named them keep only what the rotation of highlights needs."""
    touched = 0
    addressed = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            or_(OutboxMessage.recipient_id == member_id, OutboxMessage.about_user_id == member_id),
        )
    )
    for message in addressed:
        if message.recipient_id == member_id:
            message.recipient_id = alias
        if message.about_user_id == member_id:
            message.about_user_id = alias
        if message.channel_id == member_id:
            message.channel_id = alias
        # Keys such as "nudge:T:U1:U2:2026-W48" name people; a row's own id names nobody.
        message.dedupe_key = f"forgotten:{message.id}"
        message.payload = {}
        message.slack_channel_id = message.slack_ts = None
        if message.status == "pending":
            message.status, message.error = "expired", NOT_SENT
        touched += 1
    digests = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.team_id == team_id, OutboxMessage.kind == "digest"
        )
    )
    clues = [member_id, *(name for name in names if len(name) >= MIN_NAME_MATCH)]
    for digest in digests:
        text = json.dumps(digest.payload, ensure_ascii=False)
        if not any(clue in text for clue in clues):
            continue
        meta = dict(digest.payload.get("meta") or {})
        meta["highlighted"] = [
            alias if user == member_id else user for user in meta.get("highlighted", [])
        ]
        # A digest about to be sent is sent as composed; once sent, its words are not needed.
        about_to_send = digest.status in ("pending", "sending")
        digest.payload = {**digest.payload, "meta": meta} if about_to_send else {"meta": meta}
        touched += 1
    return touched
