"""An ask's likely helpers, and the private notes that let them know.

Suggestions are worked out once per ask, after its acknowledgement (bot.listeners.commands.
suggestions), and kept (`ask_suggestions`): the author's button acts on those kept, never on
names a button could carry. Each note is an outbox message under a dedupe key, written with
its `suggestion_notes` row in the click's transaction, so a replayed click sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.asks.guards import locked_request, require_author, require_open
from bot.asks.requests import ASK, RequestInfo
from bot.busy.rules import not_busy
from bot.db import insert_new
from bot.errors import InputError
from bot.models import (
    AskSuggestions,
    FavorRequest,
    Member,
    MemberChannelList,
    SuggestionNote,
    Workspace,
)
from bot.scheduler.planned import Planned, plan
from bot.suggestions.search import matches, why

MOST_SUGGESTED = 3
NOTES_A_WEEK = 2
WEEK = timedelta(days=7)
NOTE_KIND = "ask"  # an outbox message about an ask
NOTE_EXPIRES = timedelta(days=1)


@dataclass(frozen=True)
class Suggested:
    user_id: str
    why: str


def suggest(
    session: Session, now: datetime, team_id: str, public_id: str
) -> tuple[RequestInfo, list[Suggested]] | None:
    """Work out and keep an open ask's likely helpers; None when it needs none any more, or
    when they were worked out already (a retry: nothing is sent twice)."""
    request = locked_request(session, team_id, public_id)
    if request.kind != ASK or request.status != "open":
        return None
    if session.get(AskSuggestions, request.id) is not None:
        return None
    language = session.scalar(select(Workspace.search_language).where(Workspace.team_id == team_id))
    found = matches(session, team_id, request.text, language or "english", request.author_id)
    allowed = may_suggest(session, now, request, [m.user_id for m in found])
    people = [Suggested(m.user_id, why(m)) for m in found if m.user_id in allowed]
    people = people[:MOST_SUGGESTED]
    inserted = insert_new(
        session,
        AskSuggestions,
        [
            {
                "request_id": request.id,
                "people": [{"user_id": p.user_id, "why": p.why} for p in people],
                "created_at": now,
            }
        ],
        ["request_id"],
    )
    return (RequestInfo.of(request), people) if inserted else None


def may_suggest(
    session: Session, now: datetime, request: FavorRequest, user_ids: Collection[str]
) -> set[str]:
    """Those of `user_ids` who may be suggested for `request`: active people (not bots), not
    its author, not opted out, not at capacity, and in its channel unless it is public."""
    candidates = set(user_ids) - {request.author_id}
    if not candidates:
        return set()
    active = set(
        session.scalars(
            select(Member.user_id).where(
                Member.team_id == request.team_id,
                Member.user_id.in_(candidates),
                Member.is_bot.is_(False),
                Member.is_deactivated.is_(False),
                Member.suggestions_opt_out.is_(False),
                not_busy(Member, now),
            )
        )
    )
    if request.in_public_channel is not True:  # private, or not known: members only
        active = {
            user_id
            for user_id, channels in session.execute(
                select(MemberChannelList.user_id, MemberChannelList.channel_ids).where(
                    MemberChannelList.team_id == request.team_id,
                    MemberChannelList.user_id.in_(active),
                )
            )
            if request.channel_id in (channels or [])
        }
    return active


@dataclass(frozen=True)
class Told:
    request: RequestInfo
    told: list[str] = field(default_factory=list)
    had_theirs: list[str] = field(default_factory=list)  # their notes for the week were sent
    already: list[str] = field(default_factory=list)  # told about this ask before
    unavailable: list[str] = field(default_factory=list)  # no longer to be suggested
    outbox_keys: list[str] = field(default_factory=list)


def let_them_know(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    public_id: str,
    note: Any,
) -> Told:
    """The ask's author asked to tell its suggested helpers: a note to each, once, within each
    person's weekly limit. `note(request)` is the note's message."""
    request = locked_request(session, team_id, public_id)
    if request.kind != ASK:
        raise InputError("Only an ask has people to let know.")
    require_author(request, user_id, "let people know about")
    require_open(session, request)
    kept = session.get(AskSuggestions, request.id)
    people = [p["user_id"] for p in (kept.people if kept is not None else [])]
    if not people:
        raise InputError("There was no one to let know about this ask. Nothing was sent.")
    info = RequestInfo.of(request)
    told = Told(info)
    allowed = may_suggest(session, now, request, people)
    noted = set(
        session.scalars(
            select(SuggestionNote.helper_id).where(SuggestionNote.request_id == request.id)
        )
    )
    for person in people:
        if person in noted:
            told.already.append(person)
        elif person not in allowed:
            told.unavailable.append(person)
        elif _notes_this_week_locked(session, now, team_id, person) >= NOTES_A_WEEK:
            told.had_theirs.append(person)
        else:
            key = f"suggestion-note:{team_id}:{request.public_id}:{person}"
            session.add(
                SuggestionNote(
                    request_id=request.id, helper_id=person, team_id=team_id, created_at=now
                )
            )
            plan(
                session,
                team_id,
                [
                    Planned(
                        dedupe_key=key,
                        kind=NOTE_KIND,
                        channel_id=person,
                        recipient_id=person,
                        about_user_id=request.author_id,
                        payload=note(info),
                        due_at=now,
                        expires_at=now + NOTE_EXPIRES,
                    )
                ],
            )
            told.told.append(person)
            told.outbox_keys.append(key)
    session.flush()
    return told


def _notes_this_week_locked(session: Session, now: datetime, team_id: str, person: str) -> int:
    """How many notes `person` got this week, their member row locked until the transaction
    ends (PostgreSQL; SQLite serialises writers): two asks' clicks at once count one by one."""
    session.execute(
        select(Member.user_id)
        .where(Member.team_id == team_id, Member.user_id == person)
        .with_for_update()
    )
    return int(
        session.scalar(
            select(func.count()).where(
                SuggestionNote.team_id == team_id,
                SuggestionNote.helper_id == person,
                SuggestionNote.created_at > now - WEEK,
            )
        )
        or 0
    )
