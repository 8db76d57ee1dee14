"""Reading the skills someone lists: `/favor skills terraform, SQL reviews`."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SKILLS = 20
MAX_SKILL = 60
SKILLS_USAGE = (
    "List what you can help with, separated by commas: `/favor skills terraform, SQL reviews`. "
    "`/favor skills` shows yours; `/favor skills clear` removes them."
)


@dataclass(frozen=True)
class FavorSkills:
    """`/favor skills` (show yours), `/favor skills a, b` (list them), `… clear` (remove)."""

    action: str  # "show", "set" or "clear"
    skills: tuple[str, ...] = ()


def parse_skills(rest: str) -> FavorSkills | str:
    """The `/favor skills` command in `rest`, the words after it; or what to type instead."""
    if not rest or rest.casefold() == "clear":
        return FavorSkills("clear" if rest else "show")
    listed = skills_listed(rest)
    return listed if isinstance(listed, str) else FavorSkills("set", listed)


def skills_listed(text: str) -> tuple[str, ...] | str:
    """The skills in `text`, each once, as typed; or what to type instead."""
    if "<" in text or ">" in text:
        return "Skills are plain words, without mentions or links. " + SKILLS_USAGE
    skills: dict[str, None] = {}
    for part in re.split(r"[,;\n]+", text):
        skill = " ".join(part.split())
        if skill:
            skills.setdefault(skill, None)
    if not skills:
        return SKILLS_USAGE
    if len(skills) > MAX_SKILLS or any(len(skill) > MAX_SKILL for skill in skills):
        return (
            f"That's a lot: up to {MAX_SKILLS} skills of up to {MAX_SKILL} characters each. "
            + SKILLS_USAGE
        )
    return tuple(skills)
