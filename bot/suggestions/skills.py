"""The skills people choose to list (`/favor skills`): shown on their Home, matched against
asks (bot.suggestions.search); and what forget-me removes of the suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, delete, select
from sqlalchemy.orm import Session

from bot.db import upsert
from bot.members.cache import workspace_for
from bot.models import AskSuggestions, FavorRequest, MemberSkills, SuggestionNote

SEPARATOR = ", "


def set_skills(
    session: Session, now: datetime, team_id: str, user_id: str, skills: Sequence[str]
) -> list[str]:
    workspace_for(session, team_id)
    upsert(
        session,
        MemberSkills,
        [
            {
                "team_id": team_id,
                "user_id": user_id,
                "skills": SEPARATOR.join(skills),
                "updated_at": now,
            }
        ],
        ["team_id", "user_id"],
        ["skills", "updated_at"],
    )
    return list(skills)


def clear_skills(session: Session, team_id: str, user_id: str) -> bool:
    """Remove someone's skills; whether they had any."""
    result = session.execute(
        delete(MemberSkills).where(MemberSkills.team_id == team_id, MemberSkills.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def skills_of(session: Session, team_id: str, user_id: str) -> list[str]:
    listed = session.scalar(
        select(MemberSkills.skills).where(
            MemberSkills.team_id == team_id, MemberSkills.user_id == user_id
        )
    )
    return [skill for skill in (listed or "").split(SEPARATOR) if skill]


def forget_suggestions(session: Session, team_id: str, member_id: str) -> None:
    """Forget-me: the member's skills, the notes they got, and the suggestions naming them."""
    clear_skills(session, team_id, member_id)
    session.execute(
        delete(SuggestionNote).where(
            SuggestionNote.team_id == team_id, SuggestionNote.helper_id == member_id
        )
    )
    naming = (
        select(AskSuggestions.request_id)
        .join(FavorRequest, FavorRequest.id == AskSuggestions.request_id)
        .where(
            FavorRequest.team_id == team_id,
            cast(AskSuggestions.people, String).like(f'%"{member_id}"%'),
        )
    )
    session.execute(delete(AskSuggestions).where(AskSuggestions.request_id.in_(naming)))
