"""Messages for the ledger export (admins) and for `/favor forget-me`."""

from __future__ import annotations

from datetime import datetime

from bot.favours.blocks import context, section
from bot.privacy.forget import Forgotten
from bot.slack.ids import FORGET_ME_CANCEL, FORGET_ME_CONFIRM
from bot.slack.messages import Message, counted, join_names

# -- export -------------------------------------------------------------------------------


def export_preparing() -> Message:
    return {
        "response_type": "ephemeral",
        "text": (
            ":hourglass_flowing_sand: Preparing your export… I'll send the CSV to our direct "
            "message in a moment."
        ),
    }


def export_comment(count: int, now: datetime) -> str:
    """The words beside the file in the admin's DM."""
    return (
        f"Here's the Goodwill ledger you asked for: {_entries(count)}, up to "
        f"{now:%d %b %Y %H:%M} UTC. It holds people's reasons, so please keep it somewhere "
        "safe and share it only with those who need it."
    )


def export_sent(count: int) -> Message:
    return {
        "response_type": "ephemeral",
        "text": f":white_check_mark: Done: the export ({_entries(count)}) is in your DM with me.",
    }


def export_failed(problem: str) -> Message:
    return {"response_type": "ephemeral", "text": f":warning: {problem}"}


def _entries(count: int) -> str:
    return counted(count, "entry", "entries")


# -- forget me ----------------------------------------------------------------------------

WHAT_GOES = (
    "*Forget me?* This removes from Goodwill:\n"
    "• every reason on the entries you're part of, the ones you wrote and the ones written "
    "about you, and the words of your asks and offers\n"
    "• your name, time zone and settings, and mentions of you in other people's words\n"
    "Your entries stay, under an anonymous name that can't be traced back to you, so your "
    "colleagues' balances still add up. This can't be undone."
)


def forget_me_prompt(user_id: str) -> Message:
    """The private question after `/favor forget-me`, with its two buttons."""
    forget = {
        "type": "button",
        "action_id": FORGET_ME_CONFIRM,
        "text": {"type": "plain_text", "text": "Forget me"},
        "value": user_id,
        "style": "danger",
        "confirm": {
            "title": {"type": "plain_text", "text": "Forget you for good?"},
            "text": {
                "type": "mrkdwn",
                "text": "Your reasons, names and settings will be removed from Goodwill, and "
                "your entries anonymised. There's no way back.",
            },
            "confirm": {"type": "plain_text", "text": "Forget me"},
            "deny": {"type": "plain_text", "text": "Keep my data"},
            "style": "danger",
        },
    }
    cancel = {
        "type": "button",
        "action_id": FORGET_ME_CANCEL,
        "text": {"type": "plain_text", "text": "Cancel"},
        "value": user_id,
    }
    return {
        "response_type": "ephemeral",
        "text": "Forget me? Only you can see this.",
        "blocks": [section(WHAT_GOES), {"type": "actions", "elements": [forget, cancel]}],
    }


def forget_me_cancelled() -> Message:
    text = "Nothing was removed. If you change your mind, type `/favor forget-me` again."
    return {"response_type": "ephemeral", "replace_original": True, "text": text}


def forgotten_message(done: Forgotten) -> Message:
    """What was removed, replacing the question."""
    if not done.anything:
        # A second click: the summary of the first stays, and this goes beside it.
        text = (
            "There was nothing left to remove: Goodwill has already forgotten you. Anything "
            "recorded from now on can be removed the same way."
        )
        return {"response_type": "ephemeral", "replace_original": False, "text": text}
    lines = [f"• {line}" for line in _removed(done)]
    if done.entries_anonymised:
        lines.append(
            f"• {_entries(done.entries_anonymised)} now show a forgotten member instead of "
            "you, so your colleagues' balances still add up"
        )
    text = ":wastebasket: Done. Goodwill has forgotten you:\n" + "\n".join(lines)
    note = (
        "New thanks and favours are recorded as usual from now on; `/favor forget-me` removes "
        "them too. Your settings are all off: turn them back on in Goodwill's Home tab."
    )
    return {
        "response_type": "ephemeral",
        "replace_original": True,
        "text": text,
        "blocks": [section(text), context(note)],
    }


def _removed(done: Forgotten) -> list[str]:
    lines = []
    if done.reasons_removed:
        lines.append(f"removed the reasons on {_entries(done.reasons_removed)}")
    if done.profile_removed:
        lines.append(
            "removed your names and time zone, and turned off nudges, weekly prompts, digest "
            "mentions and reaction confirmations"
        )
    if done.requests_cleared:
        requests = _count(done.requests_cleared, "ask or offer", "asks and offers")
        withdrawn = f" ({done.requests_withdrawn:,} still open, now withdrawn)"
        lines.append(
            f"removed what you wrote in {requests}" + (withdrawn if done.requests_withdrawn else "")
        )
    if done.notes_removed:
        lines.append(f"removed your {_count(done.notes_removed, 'private note', 'private notes')}")
    if done.mentions_removed:
        lines.append(
            f"replaced {_count(done.mentions_removed, 'mention', 'mentions')} of you in other "
            "people's words with “someone”"
        )
    others = (
        (done.answers, "answer you gave to an ask or offer", "answers you gave to asks and offers"),
        (done.reaction_records, "record of a reaction", "records of reactions"),
        (
            done.scheduled_messages,
            "scheduled message to or about you",
            "scheduled messages to or about you",
        ),
    )
    kept = [_count(n, one, many) for n, one, many in others if n]
    if kept:
        lines.append(f"cleared {join_names(kept)}")
    return lines


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def request_removed(what: str) -> Message:
    """Replaces one of their asks or offers in its channel, buttons and all."""
    text = f":leaves: This {what} was removed at its author's request."
    return {"text": text, "blocks": [context(text)]}


def answer_withdrawn() -> Message:
    """Replaces the DM that told an author about an answer from someone now forgotten."""
    text = "This answer was withdrawn, so there's nothing to do here."
    return {"text": text, "blocks": [context(text)]}
