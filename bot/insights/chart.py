"""The insight as one picture: weekly participation and the two-way share, as a PNG.

Drawn with matplotlib's object API on the Agg canvas: no pyplot, so no global figure state
shared between the threads that draw, and no display needed on a server.
"""

from __future__ import annotations

import io

from bot.insights.figures import MIN_PEOPLE
from bot.insights.period import LONGEST
from bot.insights.weekly import Week

CHART_FILENAME = "goodwill-team-insight.png"
CHART_TITLE = "Team insight: the last 12 weeks"


def chart_png(weeks: list[Week]) -> bytes:
    # Imported when a chart is drawn, which admins ask for now and then: matplotlib would
    # otherwise add its memory and start-up time to every process that serves Slack.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [f"{week.ends:%d %b}" for week in weeks]
    positions = list(range(len(weeks)))
    for role, colour in (("gave", "#2b8a3e"), ("received", "#1c7ed6"), ("asked", "#e67700")):
        values = [_or_nan(getattr(week, role)) for week in weeks]
        axes.plot(positions, values, marker="o", color=colour, label=f"people who {role}")
    axes.set_ylabel("people")
    axes.set_ylim(bottom=0)
    share = axes.twinx()
    share.plot(
        positions,
        [_or_nan(None if w.two_way_share is None else 100 * w.two_way_share) for w in weeks],
        linestyle="--",
        color="#7048e8",
        label="two-way share of pairs (%)",
    )
    share.set_ylim(0, 100)
    share.set_ylabel("two-way share (%)")
    axes.set_xticks(positions, labels, rotation=45, fontsize=8)
    axes.set_title(CHART_TITLE)
    lines = axes.get_legend_handles_labels()
    more = share.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    figure.text(
        0.01,
        0.01,
        f"Weeks end on the date shown. Points over fewer than {MIN_PEOPLE} people are left out.",
        fontsize=7,
    )
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_alt_text(weeks: list[Week]) -> str:
    """What the chart shows, for screen readers: counts only, never a name."""

    def series(role: str) -> str:
        return ", ".join("-" if getattr(w, role) is None else str(getattr(w, role)) for w in weeks)

    shares = ", ".join(
        "-" if w.two_way_share is None else f"{round(100 * w.two_way_share)}%" for w in weeks
    )
    return (
        f"Line chart of the last {LONGEST} weeks, oldest first. People who gave: "
        f"{series('gave')}. Received: {series('received')}. Asked: {series('asked')}. "
        f"Two-way share of pairs: {shares}. A dash: fewer than {MIN_PEOPLE} people."
    )


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)
