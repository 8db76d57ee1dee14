"""Posting thanks in a channel and keeping where they went, for `/thanks`, the thanks form
and the weekly prompt alike (bot.thanks.celebrations).

Where is kept after the post, in a transaction of its own: the credits were committed before
anything was posted, and a celebration that could not be kept only means that taking its
thanks back cannot edit it (bot.favours.undo says so to the giver).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.listeners.actions._slack import post_publicly
from bot.slack.messages import Message
from bot.thanks.celebrations import Celebrated, keep_celebration

log = logging.getLogger(__name__)


def celebrate_publicly(
    client: WebClient,
    deps: Deps,
    team_id: str,
    channel_id: str,
    message: Message,
    celebrated: Celebrated,
    *,
    any_refusal: bool = False,
    **extra: Any,
) -> bool:
    """Post `message` in `channel_id` (bot.listeners.actions._slack.post_publicly) and keep
    where it went. False when it was surely not posted: the caller says it another way."""
    posted = post_publicly(client, channel_id, message, any_refusal=any_refusal, **extra)
    if posted is None:
        return False
    if posted.ts is not None:
        try:
            with deps.sessions.begin() as session:
                keep_celebration(session, team_id, celebrated, channel_id, posted.ts)
        except Exception:
            log.exception("the thanks posted in %s (%s) could not be kept", channel_id, posted.ts)
    return True
