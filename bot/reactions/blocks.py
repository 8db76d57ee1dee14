"""The private notes a reactor sees after putting a credit emoji on someone's message."""

from __future__ import annotations

from bot.slack.messages import Message, mention


def reaction_confirmation(author_id: str) -> Message:
    """An ephemeral note: the reaction counted as thanks. Only the reactor sees it."""
    headline = f"You thanked {mention(author_id)} for their message. :sparkles:"
    hint = "Only you can see this. Removing your reaction takes the thanks back."
    return {
        "text": headline,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": headline}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]},
        ],
    }


def reaction_refusal(reason: str) -> Message:
    """An ephemeral note: the reaction stays on the message but did not count as thanks."""
    hint = "Only you can see this. Your reaction stays on the message; it just didn't count."
    return {
        "text": reason,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": reason}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]},
        ],
    }
