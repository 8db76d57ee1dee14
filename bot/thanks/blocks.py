"""The public `/thanks` message."""

from __future__ import annotations

from bot.slack.messages import Message, join_names, mention
from bot.thanks.parsing import defuse_broadcasts


def thanks_reply(
    helper_ids: tuple[str, ...], thanker_id: str, reason: str, values: tuple[str, ...]
) -> Message:
    """The answer to /thanks, which Slack posts in the channel for everyone to see."""
    return {"response_type": "in_channel", **thanks_message(helper_ids, thanker_id, reason, values)}


def thanks_message(
    helper_ids: tuple[str, ...], thanker_id: str, reason: str, values: tuple[str, ...]
) -> Message:
    """A message that celebrates the people thanked, as chat.postMessage takes it: only a
    slash command's answer says where it goes (thanks_reply)."""
    helpers = join_names([mention(user_id) for user_id in helper_ids])
    headline = f":sparkles: {helpers} — thank you from {mention(thanker_id)}!"
    blocks: list[dict[str, object]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": headline}}
    ]
    if reason:
        quoted = "\n".join(f"> {line}" for line in defuse_broadcasts(reason).splitlines())
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    if values:
        tags = "  ".join(f"`#{value}`" for value in values)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": tags}]})
    fallback = f"{headline} {defuse_broadcasts(reason)}".strip()
    return {"text": fallback, "blocks": blocks}


def already_recorded_message() -> Message:
    return {
        "response_type": "ephemeral",
        "text": "Those thanks were already recorded; each one counts once.",
    }
