"""`/favor` help, the private confirmation of a logged favour, and its public shout-out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.ids import FAVOR_THANK_PUBLICLY
from bot.slack.messages import Message, mention
from bot.thanks.parsing import defuse_broadcasts

SIZE_WORDS = {1: "small", 2: "medium", 3: "big"}
# Section text may hold 3,000 characters; quotes and lists stay well below, markup included.
MAX_QUOTE = 2_500

FAVOR_HELP = "\n".join(
    (
        "*Here's what `/favor` can do:*",
        "• `/favor @someone what they did [small|medium|big]`: log a favour someone did for you",
        "• `/favor ask what you need`: ask the channel for a hand",
        "• `/favor offer what you can give`: offer something to the channel",
        "• `/favor skills terraform, SQL reviews`: what you can help with, for asks to suggest you",
        "• `/favor balance [@someone]`: your exchanges, for your eyes only",
        "• `/favor history`: your last 20 entries",
        "• `/favor undo`: take back the last credit you gave, within 24 hours",
        "• `/favor digest [here|off]`: where the weekly digest goes (admins choose)",
        "• `/favor settings`: your settings (and the workspace's, for admins)",
        "• `/favor busy [until DATE|this week|for N days] [ask @someone instead]`: at "
        "capacity (until the end of your week unless you say); `/favor available` ends it",
        "• `/favor note @someone [text|clear]`: a private note about a colleague, only you see",
        "• `/favor export`: the whole ledger as a CSV file, in your DM (admins)",
        "• `/favor insights`: counts over the team's exchanges, and a chart (admins)",
        "• `/favor forget-me`: remove your reasons, names and settings from Goodwill",
    )
)


HELP_HINT = "`/favor help` lists the rest."
INSTEAD_SHOWN = 120


def favor_help() -> Message:
    """`/favor` alone or `/favor help`: everything it can do, privately."""
    return {"response_type": "ephemeral", "text": FAVOR_HELP}


def favor_usage(problem: str) -> Message:
    """Text `/favor` could not act on: one private line saying what to type instead (the full
    help only when asked for, so the answer to a slip is not a page)."""
    return {"response_type": "ephemeral", "text": f"{problem} {HELP_HINT}"}


def did_you_mean(user_id: str, instead: str) -> Message:
    """A plain word that is someone's name: the command as it works, with them picked."""
    example = one_line(instead, INSTEAD_SHOWN).replace("`", "'")  # stays one code span
    text = (
        f"Did you mean {mention(user_id)}? Pick them from the list that opens when you type @, "
        f"as in `{example}`."
    )
    return {"response_type": "ephemeral", "text": text}


def private_note(text: str) -> Message:
    """A private answer to a click, posted beside the message clicked (never replacing it)."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """Someone's words as a mrkdwn quote that can page no one, cut to `limit` characters."""
    safe = defuse_broadcasts(text)
    if len(safe) > limit:
        safe = safe[: limit - 1].rstrip() + "…"
    return "\n".join(f"> {line}" for line in safe.splitlines() or [""])


def one_line(text: str, limit: int) -> str:
    """Someone's words on one line, cut to `limit` characters, for lists and buttons.

    A cut never splits Slack's markup: a mention, link or escape it would break is left out
    whole, so that what is shown never holds half a `<@U…|name>` or `&amp;`.
    """
    flat = " ".join(defuse_broadcasts(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    escape = cut.rfind("&")
    if escape != -1 and ";" not in cut[escape:]:
        cut = cut[:escape]
    return cut.rstrip() + "…"


def section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict[str, object]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def listed(title: str, items: Sequence[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """A titled list of the newest `items` of `total`, saying how many older ones are left."""
    blocks: list[dict[str, Any]] = [section(title), *items]
    hidden = total - len(items)
    if hidden > 0:
        blocks.append(context(f"…and {hidden:,} more, older, still open."))
    return blocks


def favor_logged(
    credit_id: int, helper_id: str, description: str, weight: int, *, shareable: bool = True
) -> Message:
    """The private confirmation of a logged favour, with a button to thank them publicly."""
    headline = (
        f":handshake: Logged: {mention(helper_id)} did you a {SIZE_WORDS[weight]} favour. "
        # Their history shows it, words included; admins' exports, without the words.
        f"Only you and {mention(helper_id)} can see it."
    )
    blocks: list[dict[str, object]] = [section(f"{headline}\n{quote(description)}")]
    if shareable:
        button = {
            "type": "button",
            "action_id": FAVOR_THANK_PUBLICLY,
            "text": {"type": "plain_text", "text": "Thank publicly"},
            "value": str(credit_id),
            "style": "primary",
        }
        blocks.append({"type": "actions", "elements": [button]})
        blocks.append(context("Changed your mind? `/favor undo` takes it back within 24 hours."))
    else:
        blocks.append(context(":white_check_mark: Shared in the channel."))
    return {"response_type": "ephemeral", "text": headline, "blocks": blocks}


def favor_shared(credit_id: int, helper_id: str, description: str, weight: int) -> Message:
    """The confirmation again, replacing the one clicked, without the button."""
    message = favor_logged(credit_id, helper_id, description, weight, shareable=False)
    return {**message, "replace_original": True}


def favor_shout_out(helper_id: str, helped_id: str, description: str) -> Message:
    """The public thank-you for a logged favour, posted in the channel."""
    headline = f":sparkles: {mention(helper_id)} did a favour for {mention(helped_id)}. Thank you!"
    return {
        "response_type": "in_channel",
        "replace_original": False,
        "text": f"{headline} {one_line(description, 200)}",
        "blocks": [section(f"{headline}\n{quote(description)}")],
    }


def favor_already_logged() -> Message:
    return {
        "response_type": "ephemeral",
        "text": "That favour was already logged; each one counts once.",
    }


def digest_announcement(schedule: str) -> Message:
    """Posted in the channel an admin picked for the digest."""
    text = (
        f":sparkles: Goodwill will share a weekly digest of thanks and favours here, {schedule}. "
        "It only ever celebrates; everyone's balances stay private."
    )
    return {"text": text, "blocks": [section(text)]}


def digest_status(channel_id: str | None, schedule: str) -> Message:
    if channel_id is None:
        text = (
            "There's no weekly digest yet. A workspace admin can start one by typing "
            "`/favor digest here` in the channel that should get it."
        )
    else:
        text = (
            f"The weekly digest goes to <#{channel_id}>, {schedule}. Admins can move it with "
            "`/favor digest here` in another channel, or stop it with `/favor digest off`."
        )
    return {"response_type": "ephemeral", "text": text}


def digest_stopped() -> Message:
    return {
        "response_type": "ephemeral",
        "text": "The weekly digest is off. Type `/favor digest here` in a channel to start it.",
    }


def digest_started(channel_id: str, schedule: str) -> Message:
    return {
        "response_type": "ephemeral",
        "text": f"Done: the weekly digest will go to <#{channel_id}>, {schedule}.",
    }
