"""A reaction event as the ledger reads it: who reacted, to whose message, with which emoji."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reaction:
    """A reaction_added or reaction_removed event on a person's message."""

    team_id: str
    event_id: str
    event_type: str
    reactor_id: str
    author_id: str
    emoji: str  # as Slack sends it, skin tone included: "raised_hands::skin-tone-3"
    channel_id: str
    message_ts: str
    # When the person added or removed the emoji (Slack's `event_ts`), to tell a late add
    # from a newer one; None when the event has none.
    event_ts: str | None = None

    @property
    def source_key(self) -> str:
        return f"reaction:{self.team_id}:{self.channel_id}:{self.message_ts}:{self.reactor_id}"


@dataclass(frozen=True)
class ReactionOutcome:
    """What the reactor should be told, if anything."""

    credited: bool = False
    # The reactor wants a quiet confirmation of the credit (members.reaction_confirmations_off).
    confirm: bool = False
    # Why a credit was refused (per-pair daily cap): told to the reactor, nothing recorded.
    refusal: str | None = None


NOTHING = ReactionOutcome()


def reaction_from_event(team_id: str, event_id: str, event: Mapping[str, Any]) -> Reaction | None:
    """The reaction in an Events API event, or None when it is not on an attributable message.

    Files and file comments have no message to credit, and a message without `item_user` was
    posted by an app or integration: nobody to thank. Reacting to your own message is not help.
    """
    item = event.get("item") or {}
    reactor, author = event.get("user"), event.get("item_user")
    channel, ts, emoji = item.get("channel"), item.get("ts"), event.get("reaction")
    fields = (reactor, author, channel, ts, emoji)
    if item.get("type") != "message" or not all(isinstance(f, str) and f for f in fields):
        return None
    if reactor == author:
        return None
    return Reaction(
        team_id=team_id,
        event_id=event_id,
        event_type=str(event.get("type")),
        reactor_id=str(reactor),
        author_id=str(author),
        emoji=str(emoji),
        channel_id=str(channel),
        message_ts=str(ts),
        event_ts=event["event_ts"] if isinstance(event.get("event_ts"), str) else None,
    )
