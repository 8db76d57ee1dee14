"""What an HTTP bench sends, and what counts as the right answer to it.

Each workload is one kind of Slack request, built and signed by bench._load, served by every
server of bench._servers, and checked afterwards: every response as Slack expects it, every
request's credit in the database, and every request's row in the floor's table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench._load import LoadResult, Workforce, reaction_requests, thanks_requests
from slack_emulator import SlackEmulator

BuildRequests = Callable[[SlackEmulator, Workforce, str, int, range], list[bytes]]


@dataclass(frozen=True)
class Workload:
    name: str
    title: str  # what is sent, as the report names it
    build: BuildRequests
    # How many of a slice's responses are what Slack expects, and what that means.
    answered: Callable[[LoadResult], int]
    answer: str
    # Each credit tells its giver privately (chat.postEphemeral), as reactions do.
    confirmed: bool
    floor_ratio_goal: float  # goodwill's throughput against the durable floor's, at least
    p99_goal_seconds: float | None  # None: the issue sets no latency goal for this one
    # Goodwill's own answer, where it differs from the floor's (`answered`, `answer`).
    goodwill_answered: Callable[[LoadResult], int] | None = None
    goodwill_answer: str = ""
    # Goodwill celebrates each request in its channel with chat.postMessage, after answering.
    celebrated: bool = False


# The floor celebrates in its answer (response_type in_channel), the least a /thanks can
# spend on it; goodwill answers empty and posts the celebration after, so that `/favor undo`
# can edit it, and the check counts the celebrations Slack (the emulator) took.
THANKS = Workload(
    name="thanks",
    title="/thanks over HTTP",
    build=thanks_requests,
    answered=LoadResult.in_channel_replies,
    answer="HTTP 200 with response_type in_channel",
    confirmed=False,
    floor_ratio_goal=0.6,
    p99_goal_seconds=0.025,
    goodwill_answered=LoadResult.empty_replies,
    goodwill_answer="HTTP 200 with an empty body (the thanks posted after it)",
    celebrated=True,
)

REACTIONS = Workload(
    name="reactions",
    title="reaction_added events over HTTP",
    build=reaction_requests,
    answered=LoadResult.ok_statuses,  # Slack retries anything else
    answer="HTTP 200",
    confirmed=True,
    floor_ratio_goal=0.5,
    p99_goal_seconds=None,
)
