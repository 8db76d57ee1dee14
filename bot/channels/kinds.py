"""Asking Slack again whether asks, offers and thanks were given in a public channel.

An ask or offer posted while Slack would not say (a 429, Slack out of reach), or before
migration 0012, has `in_public_channel` None, and the digest leaves it out: its channel may
be private. A thanks given then has `quotable` None, and the digest's highlights leave its
reason out for the same reason. This job, run by the scheduler, asks Slack about those
channels a few at a time, so that what was said in a public channel comes back into the
digest and what was said in a private one is known to stay out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import func, select, union, update
from sqlalchemy.orm import Session, sessionmaker

from bot.digest.plan import DIGEST_GRACE
from bot.models import Credit, FavorRequest
from bot.slack.api import ChannelKinds

log = logging.getLogger(__name__)

# conversations.info is Tier 3 (about 50 calls a minute per workspace), shared with /thanks.
CHANNELS_PER_RUN = 20

# The highlights quote the week before the digest, which may go out this late; an older
# reason will never be quoted, so its channel is not worth a call. At most 30 days: migration
# 0015 made the NULLs of that window false, and left older ones, which meant private.
QUOTES_LOOK_BACK = timedelta(days=7) + DIGEST_GRACE


def settle_channels(
    sessions: sessionmaker[Session],
    client_for: Callable[[str], WebClient],
    kinds: ChannelKinds,
    now: datetime,
    limit: int = CHANNELS_PER_RUN,
) -> int:
    """Ask about up to `limit` channels of open requests and of the recent week's credits not
    known to be public or not; returns how many channels Slack answered for."""
    requests = (FavorRequest.in_public_channel.is_(None), FavorRequest.status == "open")
    # Live credits only, and only those the digest may still quote. NULLs from before
    # migration 0015, older than its window, meant private: the look-back never meets them.
    credits = (
        Credit.quotable.is_(None),
        Credit.created_at >= now - QUOTES_LOOK_BACK,
        Credit.retracted_at.is_(None),
    )
    unknown = union(
        select(FavorRequest.team_id, FavorRequest.channel_id).where(*requests),
        select(Credit.team_id, Credit.channel_id).where(*credits, Credit.channel_id.is_not(None)),
    ).subquery()
    with sessions() as session:
        channels = session.execute(
            select(unknown.c.team_id, unknown.c.channel_id)
            # In no fixed order: a channel Slack keeps failing on cannot hold up the others
            # run after run.
            .order_by(func.random())
            .limit(limit)
        ).all()
    settled = 0
    for team_id, channel_id in channels:
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
                .where(FavorRequest.team_id == team_id, FavorRequest.channel_id == channel_id)
                .where(*requests)
                .values(in_public_channel=public)
            )
            session.execute(
                update(Credit)
                .where(Credit.team_id == team_id, Credit.channel_id == channel_id)
                .where(*credits)
                .values(quotable=public)
            )
        settled += 1
    if settled:
        log.info("asked Slack about %d channels of asks, offers and thanks", settled)
    return settled
