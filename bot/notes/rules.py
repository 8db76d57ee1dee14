"""Private notes: kept, read and removed by their writer only. Services: they take a session
and `now`, never commit. Nothing here reads another writer's notes: every query is by
`writer_id`, except forget-me's, which removes."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db import upsert
from bot.errors import NotAPersonError, SelfCreditError
from bot.members.cache import FetchUser, resolve_members
from bot.models import PrivateNote


@dataclass(frozen=True)
class Note:
    subject_id: str
    text: str


def set_note(
    session: Session,
    now: datetime,
    team_id: str,
    writer_id: str,
    subject_id: str,
    text: str,
    fetch_user: FetchUser,
) -> Note:
    """Keep `text` as the writer's note about `subject_id` (replacing the last)."""
    _check_subject(session, now, team_id, writer_id, subject_id, fetch_user)
    row = {
        "team_id": team_id,
        "writer_id": writer_id,
        "subject_id": subject_id,
        "text": text,
        "updated_at": now,
    }
    upsert(
        session, PrivateNote, [row], ["team_id", "writer_id", "subject_id"], ["text", "updated_at"]
    )
    return Note(subject_id, text)


def clear_note(session: Session, team_id: str, writer_id: str, subject_id: str) -> bool:
    """Remove the writer's note about `subject_id`; whether there was one."""
    removed = session.execute(
        delete(PrivateNote)
        .where(*_theirs(team_id, writer_id), PrivateNote.subject_id == subject_id)
        .returning(PrivateNote.subject_id)
    ).all()
    return bool(removed)


def note_about(session: Session, team_id: str, writer_id: str, subject_id: str) -> str | None:
    return notes_about(session, team_id, writer_id, (subject_id,)).get(subject_id)


def notes_about(
    session: Session, team_id: str, writer_id: str, user_ids: Collection[str]
) -> dict[str, str]:
    """The writer's notes about any of `user_ids`, by subject (for suggestions shown to the
    writer alone)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(PrivateNote.subject_id, PrivateNote.text).where(
            *_theirs(team_id, writer_id), PrivateNote.subject_id.in_(sorted(set(user_ids)))
        )
    )
    return {subject_id: text for subject_id, text in rows}


def latest_notes(
    session: Session, team_id: str, writer_id: str, limit: int
) -> tuple[list[Note], int]:
    """The writer's newest notes, at most `limit`, and how many they keep in all."""
    rows = session.execute(
        select(PrivateNote.subject_id, PrivateNote.text)
        .where(*_theirs(team_id, writer_id))
        .order_by(PrivateNote.updated_at.desc(), PrivateNote.subject_id)
    ).all()
    return [Note(subject_id, text) for subject_id, text in rows[:limit]], len(rows)


def forget_notes(session: Session, team_id: str, member_id: str) -> int:
    """Forget-me: the notes they wrote and the notes about them go; a mention of them in
    someone's note about another person reads "someone". Returns how many notes they had
    written: whether others kept notes about them is those others' alone, never told."""
    removed = session.execute(
        delete(PrivateNote)
        .where(
            PrivateNote.team_id == team_id,
            or_(PrivateNote.writer_id == member_id, PrivateNote.subject_id == member_id),
        )
        .returning(PrivateNote.writer_id)
    ).all()
    pattern = re.compile(rf"<@{re.escape(member_id)}(?:\|[^>]*)?>")
    mentioning = session.execute(
        select(PrivateNote.writer_id, PrivateNote.subject_id, PrivateNote.text).where(
            PrivateNote.team_id == team_id,
            PrivateNote.text.contains(f"<@{member_id}", autoescape=True),
        )
    ).all()
    for writer_id, subject_id, text in mentioning:
        session.execute(
            update(PrivateNote)
            .where(*_theirs(team_id, writer_id), PrivateNote.subject_id == subject_id)
            .values(text=pattern.sub("someone", text))
        )
    return sum(1 for (writer_id,) in removed if writer_id == member_id)


def _theirs(team_id: str, writer_id: str) -> tuple[ColumnElement[bool], ...]:
    return (PrivateNote.team_id == team_id, PrivateNote.writer_id == writer_id)


def _check_subject(
    session: Session,
    now: datetime,
    team_id: str,
    writer_id: str,
    subject_id: str,
    fetch_user: FetchUser,
) -> None:
    if subject_id == writer_id:
        raise SelfCreditError(
            "Notes are about colleagues. Your own goals are yours to keep in mind!"
        )
    subject = resolve_members(session, team_id, (subject_id,), fetch_user, now)[subject_id]
    if not subject.can_receive_credit:
        raise NotAPersonError(
            f"{subject.label} is a bot or no longer here: notes are about colleagues."
        )
