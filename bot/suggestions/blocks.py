"""The asker's private list of likely helpers, the note each gets, and what the button did."""

from __future__ import annotations

from collections.abc import Sequence

from bot.asks.requests import RequestInfo
from bot.favours.blocks import context, one_line, quote, section
from bot.slack.ids import ASK_VOLUNTEER, SUGGESTIONS_LET_KNOW
from bot.slack.messages import Message, join_names, mention
from bot.suggestions.likely import NOTES_A_WEEK, Suggested, Told

MAX_WHY = 80


def suggestions_message(request: RequestInfo, people: Sequence[Suggested]) -> Message:
    """Up to three people likely to help with the asker's ask, why, and a button to tell them."""
    lines = "\n".join(
        f"• {mention(person.user_id)} ({one_line(person.why, MAX_WHY)})" for person in people
    )
    return {
        "text": "People likely to help with your ask",
        "blocks": [
            section(f"People likely to help with your ask:\n{quote(request.text)}"),
            section(lines),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SUGGESTIONS_LET_KNOW,
                        "text": {"type": "plain_text", "text": "Let them know"},
                        "value": request.public_id,
                        "style": "primary",
                    }
                ],
            },
            context(
                "Only you see this. *Let them know* sends each a private note with your ask; "
                f"nobody gets more than {NOTES_A_WEEK} such notes a week."
            ),
        ],
    }


def note_message(request: RequestInfo) -> Message:
    """The private note a suggested helper gets, with the ask's *I can help* button."""
    return {
        "text": f"{mention(request.author_id)} could use a hand, and you might be the one",
        "blocks": [
            section(
                f":wave: {mention(request.author_id)} asked in <#{request.channel_id}>, and "
                f"Goodwill thought of you:\n{quote(request.text)}"
            ),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ASK_VOLUNTEER,
                        "text": {"type": "plain_text", "text": "I can help"},
                        "value": request.public_id,
                        "style": "primary",
                    }
                ],
            },
            context(
                "Only you got this note. You can turn such suggestions off in `/favor settings`."
            ),
        ],
    }


def told_words(told: Told) -> str:
    """What the asker's click did, person by person."""
    parts = []
    if told.told:
        parts.append(f"I let {join_names([mention(p) for p in told.told])} know.")
    if told.already:
        parts.append(f"{join_names([mention(p) for p in told.already])} already knew.")
    if told.had_theirs:
        parts.append(
            f"{join_names([mention(p) for p in told.had_theirs])} had their {NOTES_A_WEEK} "
            "notes this week already, so I didn't send another; you can still ask them "
            "directly."
        )
    if told.unavailable:
        parts.append(
            f"{join_names([mention(p) for p in told.unavailable])} can't be suggested any "
            "more, so I didn't send them one."
        )
    return " ".join(parts)


def skills_words(skills: Sequence[str]) -> str:
    """Someone's own skills, as `/favor skills` and the Home show them."""
    if not skills:
        return (
            "You haven't listed any skills. List what you can help with, and asks that need "
            "it may suggest you: `/favor skills terraform, SQL reviews`."
        )
    return "Your skills: " + one_line(", ".join(skills), 600)


def skills_answer(skills: Sequence[str], cleared: bool | None = None) -> str:
    if cleared is not None:
        return (
            "Your skills are removed." if cleared else "You had no skills listed; nothing changed."
        )
    return (
        skills_words(skills)
        + ". Asks that need them may suggest you; `/favor skills clear` removes them."
    )
