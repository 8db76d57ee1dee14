"""`/favor balance`: the caller's exchanges, privately. Never posted where others can see."""

from __future__ import annotations

from bot.asks.requests import ASK, RequestInfo
from bot.balance.exchanges import PEOPLE_LISTED as PEOPLE_SHOWN
from bot.balance.exchanges import BalanceSummary, PairBalance
from bot.favours.blocks import context, one_line, section
from bot.slack.messages import Message, counted, mention

REQUEST_TEXT_SHOWN = 120
BAR_WIDTH = 10
GIVEN, RECEIVED = "▰", "▱"
BAR_NOTE = f"{GIVEN} you helped them · {RECEIVED} they helped you."


def balance_message(summary: BalanceSummary) -> Message:
    if summary.counterpart_id is not None:
        return _pair_message(summary, summary.counterpart_id)
    blocks: list[dict[str, object]] = [section("*Your exchanges*")]
    if summary.pairs:
        lines = [_line(pair) for pair in summary.pairs[:PEOPLE_SHOWN]]
        blocks.append(section("\n".join(lines)))
        notes = [f"Only you can see this. {BAR_NOTE} {decay_note(summary.half_life_days)}"]
        hidden = summary.people_total - min(len(summary.pairs), PEOPLE_SHOWN)
        if hidden > 0:
            notes.append(f"…and {counted(hidden, 'more person', 'more people')}.")
        blocks.append(context("\n".join(notes)))
    else:
        blocks.append(
            section("No exchanges yet. Asking is a fine way to start: `/favor ask what you need`.")
        )
        blocks.append(context("Only you can see this."))
    if summary.open_requests:
        lines = [
            f"• {'Ask' if request.kind == ASK else 'Offer'} in <#{request.channel_id}>: "
            f"{one_line(request.text, REQUEST_TEXT_SHOWN)}{archived_note(request, short=True)}"
            for request in summary.open_requests
        ]
        blocks.append(section("*Your open asks and offers*\n" + "\n".join(lines)))
        hidden = summary.open_total - len(summary.open_requests)
        if hidden > 0:
            blocks.append(context(f"…and {hidden:,} more."))
    return {
        "response_type": "ephemeral",
        "text": "Your exchanges (only you can see this)",
        "blocks": blocks,
    }


def _pair_message(summary: BalanceSummary, counterpart_id: str) -> Message:
    pair = summary.pairs[0] if summary.pairs else PairBalance(counterpart_id, 0.0, 0.0)
    who = mention(counterpart_id)
    if pair.exchanges:
        text = f"*You and {who}*: {exchanges(pair)}."
    else:
        text = f"*You and {who}*: no exchanges yet."
    note = "Only you can see this."
    if pair.exchanges:
        note += f" {BAR_NOTE} {decay_note(summary.half_life_days)}"
        text = f"{balance_bar(pair.given, pair.received)}  {text}"
    return {
        "response_type": "ephemeral",
        "text": f"You and {who} (only you can see this)",
        "blocks": [section(text), context(note)],
    }


def _line(pair: PairBalance) -> str:
    who = mention(pair.counterpart_id)
    return f"{balance_bar(pair.given, pair.received)}  {who}: {exchanges(pair)}"


def exchanges(pair: PairBalance) -> str:
    """A pair's exchanges in words, not a score: '3 exchanges — you helped them twice, they
    helped you once'. Only the sides that happened are said."""
    sides = []
    if pair.times_given:
        sides.append(f"you helped them {times(pair.times_given)}")
    if pair.times_received:
        sides.append(f"they helped you {times(pair.times_received)}")
    return f"{counted(pair.exchanges, 'exchange')} — {', '.join(sides)}"


def times(count: int) -> str:
    """How often: 'once', 'twice', '3 times', '1,200 times'. Counts are whole numbers
    everywhere Goodwill shows them (bot.slack.messages.counted), never a weighted score."""
    return {1: "once", 2: "twice"}.get(count) or f"{count:,} times"


def decay_note(half_life_days: int) -> str:
    return (
        f"The bar weighs recent help more (it halves every {half_life_days} days) and a big "
        "favour three times a small one."
    )


def balance_bar(given: float, received: float, width: int = BAR_WIDTH) -> str:
    """▰ for the share of help the member gave, ▱ for the share they received. A side that is
    not zero always shows, however small."""
    total = given + received
    if total <= 0:
        return RECEIVED * width
    filled = round(width * given / total)
    if given > 0:
        filled = max(filled, 1)
    if received > 0:
        filled = min(filled, width - 1)
    return GIVEN * filled + RECEIVED * (width - filled)


def archived_note(request: RequestInfo, *, short: bool = False) -> str:
    """After one of the member's own open asks or offers: why no one answers it any more.
    `short` where ten of them share one section's 3,000 characters."""
    if not request.in_archived_channel:
        return ""
    if short:
        return " _(channel archived)_"
    return " _(its channel is archived: nobody can answer it there; withdraw it or ask again)_"
