"""The admins' insight as a private message: counts over five people or more, never a name.

A figure over fewer than `MIN_PEOPLE` people reads "fewer than 5" instead of its number.
"""

from __future__ import annotations

from typing import Any

from bot.favours.blocks import context, section
from bot.insights.figures import MIN_PEOPLE, Figures, Insights, ScopeInsight
from bot.insights.period import PERIODS
from bot.slack.messages import Message

Block = dict[str, Any]

CHANNELS_SHOWN = 10
FEWER = f"fewer than {MIN_PEOPLE}"
CHART_ON_ITS_WAY = ":bar_chart: The chart is on its way to our direct message."
COMING = (
    ":hourglass_flowing_sand: Working out the team insight: the figures will show here in a "
    "moment, and the chart is on its way to our direct message."
)
DEFINITIONS = (
    "Counts of people unless said. *Only gave*: gave help, and neither received help nor "
    "posted an ask, anywhere in the period. *Two-way*: pairs who helped each other in both "
    "directions in the period. *Answered*: someone clicked *I can help*; the wait is to the "
    "first such click. *New connections across channels*: two people who exchanged for the "
    "first time, in a channel that is neither one's usual channel (where most of their "
    "exchanges in the period took place). Every figure covers at least "
    f"{MIN_PEOPLE} people, or it reads “{FEWER}”. No names, no balances."
)


def insights_coming() -> Message:
    return {"response_type": "ephemeral", "text": COMING}


def insights_message(insights: Insights, chart_coming: bool = True) -> Message:
    day = f"{insights.now:%d %b %Y}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Team insight"}},
        context(f"The last {' and '.join(map(str, PERIODS))} weeks, up to {day}."),
        section(_scope_text("*The whole workspace*", insights.workspace)),
    ]
    for scope in insights.channels[:CHANNELS_SHOWN]:
        blocks.append({"type": "divider"})
        blocks.append(section(_scope_text(f"*<#{scope.channel_id}>*", scope)))
    hidden = len(insights.channels) - CHANNELS_SHOWN
    notes = []
    if hidden > 0:
        notes.append(f"{hidden} more channels with {MIN_PEOPLE}+ active people are not listed.")
    if insights.quiet_channels:
        notes.append(
            f"{insights.quiet_channels} channels with fewer than {MIN_PEOPLE} active people "
            "are left out."
        )
    if notes:
        blocks.append(context(" ".join(notes)))
    blocks.append(context(DEFINITIONS))
    if chart_coming:
        blocks.append(context(CHART_ON_ITS_WAY))
    text = f"Team insight for the last {' and '.join(map(str, PERIODS))} weeks."
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


def _scope_text(title: str, scope: ScopeInsight) -> str:
    lines = [title]
    for label, show in (
        ("Active (gave, received or asked)", lambda f: people(f.active)),
        ("Gave help", lambda f: people(f.gave)),
        ("Received help", lambda f: people(f.received)),
        ("Asked", lambda f: people(f.asked)),
        ("Only gave, never asked", lambda f: people(f.only_gave)),
        ("Two-way", lambda f: pairs(f.two_way_pairs, f.two_way_people)),
        ("Asks answered", answered),
        (
            "New connections across channels",
            lambda f: pairs(f.new_connections, f.new_connection_people),
        ),
    ):
        shown = " · ".join(f"{weeks} wk: {show(scope.periods[weeks])}" for weeks in PERIODS)
        lines.append(f"{label}: {shown}")
    return "\n".join(lines)


def people(count: int) -> str:
    return str(count) if count >= MIN_PEOPLE else FEWER


def pairs(count: int, among: int) -> str:
    if among < MIN_PEOPLE:
        return f"{FEWER} people"
    return f"{count} {'pair' if count == 1 else 'pairs'} ({among} people)"


def answered(figures: Figures) -> str:
    if figures.answered_askers < MIN_PEOPLE or figures.median_answer_seconds is None:
        return f"{FEWER} people"
    wait = waited(figures.median_answer_seconds)
    return f"{figures.asks_answered} of {figures.asks}, median wait {wait}"


def waited(seconds: float) -> str:
    """'under a minute', '40 min', '3 h 5 min', '2 days 4 h'."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} {'day' if days == 1 else 'days'} {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def insight_failed(problem: str) -> Message:
    return {"response_type": "ephemeral", "text": f":warning: {problem}"}
