"""`/favor skills`: show, list or clear the skills you offer to be suggested for."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.deps import Deps
from bot.listeners.workspace import workspace_of
from bot.slack.messages import Message, ephemeral
from bot.suggestions.blocks import skills_answer, skills_words
from bot.suggestions.parsing import FavorSkills
from bot.suggestions.skills import clear_skills, set_skills, skills_of


def answer_skills(
    command: dict[str, Any], context: BoltContext, deps: Deps, parsed: FavorSkills
) -> Message:
    team_id, user_id = workspace_of(context), command["user_id"]
    with deps.sessions.begin() as session:
        if parsed.action == "clear":
            return ephemeral(skills_answer([], clear_skills(session, team_id, user_id)))
        if parsed.action == "set":
            listed = set_skills(session, deps.clock(), team_id, user_id, parsed.skills)
            return ephemeral(skills_answer(listed))
        return ephemeral(skills_words(skills_of(session, team_id, user_id)))
