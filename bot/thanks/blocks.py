"""The public `/thanks` message, the private note beside it on who was not thanked, and what
the message says once its thanks are taken back."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import InputError, NobodyThankedError
from bot.ledger.record import THANKS_WORDS, Skipped, Why
from bot.ledger.skipped import refusal
from bot.slack.messages import Message, counted, join_names, mention
from bot.thanks.groups import group_name
from bot.thanks.parsing import MAX_VALUES, MentionedGroup, defuse_broadcasts


def thanks_message(
    helper_ids: tuple[str, ...],
    thanker_id: str,
    reason: str,
    values: tuple[str, ...],
    groups: Sequence[MentionedGroup] = (),
) -> Message:
    """A message that celebrates the people thanked, as chat.postMessage takes it (a command's
    response_url takes it too, with its `response_type`). A user group thanked is shown as
    the group, as Slack shows its mention."""
    teams = [_group_mention(group) for group in groups]
    helpers = join_names([*(mention(user_id) for user_id in helper_ids), *teams])
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


def thanks_taken_back(thanker_id: str) -> Message:
    """What a celebration says once every thanks it showed was taken back (`/favor undo`):
    the message stays, so that replies and reactions under it keep their context."""
    text = f":leftwards_arrow_with_hook: {mention(thanker_id)} took back these thanks."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def already_recorded_message() -> Message:
    return {
        "response_type": "ephemeral",
        "text": "Those thanks were already recorded; each one counts once.",
    }


def thanks_note(
    skipped: Sequence[Skipped],
    dropped_values: Sequence[str],
    *,
    anyone_thanked: bool = True,
    plain: bool = False,
) -> str | None:
    """What the giver alone is told beside the thanks: who was not thanked and why, and the
    tags left out; None when there is nothing to tell. `plain`: as plain text (a form's
    error), people by name rather than by mention."""
    lines: list[str] = []
    if skipped:
        lead = "Not thanked" if anyone_thanked else "Nobody was thanked"
        reasons = join_names([f"{_who(item, plain)} ({_why(item)})" for item in skipped])
        advice = ""
        if any(item.why in {Why.SAME_REASON, Why.DAILY_LIMIT} for item in skipped):
            advice = " If they helped again, say what they did this time, or thank them tomorrow."
        lines.append(f"{lead}: {reasons}.{advice}")
    if dropped_values:
        left_out = join_names([f"#{value}" for value in dropped_values])
        were = "was" if len(dropped_values) == 1 else "were"
        lines.append(f"A thanks keeps up to {MAX_VALUES} tags, so {left_out} {were} left out.")
    return "\n".join(lines) or None


def nobody_thanked(skipped: Sequence[Skipped]) -> InputError:
    """The refusal when nobody could be thanked: for one person, the sentence a single credit
    gets (bot.ledger.skipped.refusal); for several, each named with the reason."""
    if len(skipped) == 1:
        return refusal(skipped[0], THANKS_WORDS)
    return NobodyThankedError(
        thanks_note(skipped, (), anyone_thanked=False) or "",
        thanks_note(skipped, (), anyone_thanked=False, plain=True) or "",
    )


def _who(item: Skipped, plain: bool) -> str:
    if not plain:
        return mention(item.helper_id)
    return item.label or "someone"


def _why(item: Skipped) -> str:
    match item.why:
        case Why.NOT_A_MEMBER:
            return "not in this workspace"
        case Why.YOURSELF:
            return "that's you"
        case Why.BOT:
            return "a bot"
        case Why.DEACTIVATED:
            return "no longer active here"
        case Why.SAME_REASON:
            return "you already thanked them for that today"
        case Why.DAILY_LIMIT:
            return (
                f"credited {counted(item.given_today, 'time')} by you today, the most a day allows"
            )


def _group_mention(group: MentionedGroup) -> str:
    name = group_name(group)
    return f"<!subteam^{group.group_id}|{name}>" if group.handle else name
