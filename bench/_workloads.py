"""What an HTTP bench sends, and what counts as the right answer to it.

Each workload is one kind of Slack request, built and signed by bench._load, served by both
servers of bench._servers (the bare Bolt app acks every kind), and checked afterwards: every
response as Slack expects it, and every request's credit in the database.
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
    p99_goal_seconds: float | None  # None: the issue sets no latency goal for this one


THANKS = Workload(
    name="thanks",
    title="/thanks over HTTP",
    build=thanks_requests,
    answered=LoadResult.in_channel_replies,
    answer="HTTP 200 with response_type in_channel",
    confirmed=False,
    p99_goal_seconds=0.020,
)

REACTIONS = Workload(
    name="reactions",
    title="reaction_added events over HTTP",
    build=reaction_requests,
    answered=LoadResult.ok_statuses,  # Slack retries anything else
    answer="HTTP 200",
    confirmed=True,
    p99_goal_seconds=None,
)
