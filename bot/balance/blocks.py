"""`/favor balance`: the caller's exchanges, privately. Never posted where others can see."""

from __future__ import annotations

from bot.asks.requests import ASK, RequestInfo
from bot.balance.exchanges import PEOPLE_LISTED as PEOPLE_SHOWN
from bot.balance.exchanges import BalanceSummary, PairBalance
from bot.favours.blocks import context, one_line, section
from bot.slack.messages import Message, mention, people

REQUEST_TEXT_SHOWN = 120


def balance_message(summary: BalanceSummary) -> Message:
    if summary.counterpart_id is not None:
        return _pair_message(summary, summary.counterpart_id)
    decay = (
        f"Only you can see this. Older help counts for less: it halves every "
        f"{summary.half_life_days} days, and a big favour counts three times a small one."
    )
    blocks: list[dict[str, object]] = [section("*Your exchanges*"), context(decay)]
    if summary.pairs:
        lines = [_line(pair) for pair in summary.pairs[:PEOPLE_SHOWN]]
        blocks.append(section("\n".join(lines)))
        hidden = summary.people_total - min(len(summary.pairs), PEOPLE_SHOWN)
        if hidden > 0:
            blocks.append(context(f"…and {hidden:,} more {people(hidden)}."))
    else:
        blocks.append(
            section("No exchanges yet. Asking is a fine way to start: `/favor ask what you need`.")
        )
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
    text = (
        f"*You and {who}*\nYou helped them: *{amount(pair.given)}*\n"
        f"They helped you: *{amount(pair.received)}*"
    )
    note = (
        f"Only you can see this. Older help counts for less: it halves every "
        f"{summary.half_life_days} days."
    )
    return {
        "response_type": "ephemeral",
        "text": f"You and {who} (only you can see this)",
        "blocks": [section(text), context(note)],
    }


def _line(pair: PairBalance) -> str:
    return (
        f"{mention(pair.counterpart_id)}: you helped *{amount(pair.given)}* · "
        f"helped you *{amount(pair.received)}*"
    )


def amount(value: float) -> str:
    """A weighted, faded amount of help: one decimal, none from 100, and never a misleading
    0.0 for help that has faded to almost nothing."""
    if value <= 0:
        return "0"
    if value < 0.05:
        return "<0.1"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def archived_note(request: RequestInfo, *, short: bool = False) -> str:
    """After one of the member's own open asks or offers: why no one answers it any more.
    `short` where ten of them share one section's 3,000 characters."""
    if not request.in_archived_channel:
        return ""
    if short:
        return " _(channel archived)_"
    return " _(its channel is archived: nobody can answer it there; withdraw it or ask again)_"
