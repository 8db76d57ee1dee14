"""What `/favor undo` says: to the giver, in the channel of a /thanks, and to the other person."""

from __future__ import annotations

from bot.asks.requests import ASK
from bot.balance.history_blocks import REASON_SHOWN, entry_sentence
from bot.favours.blocks import one_line
from bot.favours.undo import Undone
from bot.slack.messages import Message, mention

# What became of the message that celebrated a thanks taken back.
EDITED = "edited"  # it names only those still thanked
REPLACED = "replaced"  # nobody is left: it says the thanks were taken back
NOT_EDITED = "not edited"  # Slack refused the edit (the message deleted, …)
SAID_IN_CHANNEL = "said"  # the taking back was said under the /thanks, in its channel
MESSAGE_STAYS = "stays"  # a /thanks whose message can no longer be followed up


def undone_reply(undone: Undone, public: str | None) -> Message:
    """The giver's private answer: what was taken back, and what became of it elsewhere."""
    entry = undone.entry
    text = f":leftwards_arrow_with_hook: Undone: {entry_sentence(entry, undone.giver_id)}"
    if entry.reason:
        text += f" ({one_line(entry.reason, REASON_SHOWN)})"
    text += ". It no longer counts anywhere."
    where = f"<#{undone.channel_id}>" if undone.channel_id else "the channel"
    if undone.celebration is not None:
        where = f"<#{undone.celebration.channel_id}>"
    if public == EDITED:
        text += f" I've taken {mention(undone.other_id)} off the thanks message in {where}."
    elif public == REPLACED:
        text += f" The thanks message in {where} now says you took them back."
    elif public == NOT_EDITED:
        text += (
            f" I couldn't change the thanks message in {where}: Slack wouldn't let me (it may "
            "have been deleted), so it stays as it was. The thanks no longer count all the same."
        )
    elif public == SAID_IN_CHANNEL:
        text += f" I've said so in {where}, under the thanks."
    elif public == MESSAGE_STAYS:
        text += (
            f" The thanks message in {where} stays: Slack lets me follow up on a /thanks only "
            "a few times within 30 minutes. The thanks no longer count all the same."
        )
    if undone.reopened is not None:
        request = undone.reopened.request
        text += (
            f" Your {request.kind} is open again in <#{request.channel_id}>."
            if undone.reopened.is_open
            else f" Your {request.kind} stays closed for the others you credited, and its "
            f"message no longer names {mention(undone.other_id)}."
        )
    if entry.kind == "reaction":
        # The bot cannot take someone's emoji off a message; leaving it changes nothing.
        text += " The emoji can stay on the message."
    elif undone.other_id:
        text += f" I've let {mention(undone.other_id)} know privately."
    return {"response_type": "ephemeral", "text": text}


def taken_back_in_channel(undone: Undone) -> Message:
    """Said under a /thanks, through its command's response_url, for all who saw it."""
    text = (
        f":leftwards_arrow_with_hook: {mention(undone.giver_id)} took back their thanks to "
        f"{mention(undone.other_id)} above."
    )
    return {"response_type": "in_channel", "text": text}


def taken_back_note(undone: Undone) -> Message:
    """The other person's DM: what was taken back, without the words of anything private."""
    giver, entry = mention(undone.giver_id), undone.entry
    stamp = int(entry.created_at.timestamp())
    when = f"<!date^{stamp}^{{date_short_pretty}}|{entry.created_at:%Y-%m-%d}>"
    if undone.reopened is not None:
        request = undone.reopened.request
        what = one_line(request.text, 200)
        text = (
            f":leftwards_arrow_with_hook: {giver} took back the favour recorded for your help "
            f"with their ask “{what}”"
            if request.kind == ASK
            else f":leftwards_arrow_with_hook: {giver} took back their confirmation that "
            f"“{what}” went to you"
        )
        text += f": the {request.kind} is open again." if undone.reopened.is_open else "."
    elif entry.kind == "thanks":
        text = (
            f":leftwards_arrow_with_hook: {giver} took back the thanks they gave you {when}. "
            "It no longer counts in your exchanges."
        )
    else:
        text = (
            f":leftwards_arrow_with_hook: {giver} took back the favour they recorded for you "
            f"{when}. It no longer counts in your exchanges."
        )
    return {"text": text}
