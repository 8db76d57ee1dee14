"""Asking Slack again whether open asks and offers were posted in a public channel.

An ask or offer posted while Slack would not say (a 429, Slack out of reach), or before
migration 0012, has `in_public_channel` None, and the digest leaves it out: its channel may
be private. This job, run by the scheduler, asks Slack about those channels a few at a time,
so that an ask in a public channel comes back into the digest and one in a private channel
is known to stay out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import FavorRequest
from bot.slack_api import ChannelKinds

log = logging.getLogger(__name__)

# conversations.info is Tier 3 (about 50 calls a minute per workspace), shared with /thanks.
CHANNELS_PER_RUN = 20


def settle_request_channels(
    sessions: sessionmaker[Session],
    client_for: Callable[[str], WebClient],
    kinds: ChannelKinds,
    now: datetime,
    limit: int = CHANNELS_PER_RUN,
) -> int:
    """Ask about up to `limit` channels of open requests not known to be public or not;
    returns how many channels Slack answered for."""
    with sessions() as session:
        unknown = session.execute(
            select(FavorRequest.team_id, FavorRequest.channel_id)
            .where(FavorRequest.status == "open", FavorRequest.in_public_channel.is_(None))
            .distinct()
            .order_by(FavorRequest.team_id, FavorRequest.channel_id)
            .limit(limit)
        ).all()
    settled = 0
    for team_id, channel_id in unknown:
        try:
            client = client_for(team_id)
        except LookupError:
            continue  # not installed there any more: its data goes with the uninstall
        public = kinds.whether_public(client, team_id, channel_id, now)
        if public is None:
            continue  # Slack will not say yet: asked again at the next run
        with sessions.begin() as session:
            session.execute(
                update(FavorRequest)
                .where(
                    FavorRequest.team_id == team_id,
                    FavorRequest.channel_id == channel_id,
                    FavorRequest.in_public_channel.is_(None),
                )
                .values(in_public_channel=public)
            )
        settled += 1
    if settled:
        log.info("asked Slack about %d channels of open asks and offers", settled)
    return settled
