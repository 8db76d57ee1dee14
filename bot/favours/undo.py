"""`/favor undo`: the giver takes back their newest credit, and what it did is undone too.

The giver of a credit is whoever recorded it: the person thanked for nothing they did not
choose, so only the giver may take it back. That is the one helped (a /thanks, a favour they
logged, their ask's Done, their credit emoji), except for an offer: its author records it with
*Confirm*, so the offerer gives it and the taker cannot take it back.

Taking a credit back also undoes what it did where others can see it:
- an ask or offer it closed opens again (bot.asks.reopening), its channel message with it;
- the message that celebrated a thanks (a /thanks, the "Thank for this" form, the weekly
  prompt's public thanks) was posted by the bot and kept (bot.thanks.celebrations): it is
  edited to name only those whose thanks still stand, or, once none does, to say the thanks
  were taken back. It is edited rather than deleted: replies and reactions under it keep
  their context, and whoever saw the thanks finds why they are gone;
- a /thanks the bot could not post itself (a private channel or a DM it is not in) was
  celebrated by the command's response_url instead, which Slack gives no ts for and lets
  nothing edit. So the credit keeps the command's response_url, and within its life
  (30 minutes, 5 uses) the taking back is said in the same channel through it; past that,
  the giver is told plainly that the message stays and the credit is gone;
- the other person is told privately (not for a reaction: the emoji is still there to see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.asks.reopening import Reopened, reopen_request
from bot.balance.history import Entry
from bot.errors import NotAllowedError, NothingToUndoError
from bot.models import Credit
from bot.thanks.celebrations import CelebrationNow, celebration_now

UNDO_WINDOW = timedelta(hours=24)
# How long Slack keeps a slash command's response_url working.
RESPONSE_URL_LIFE = timedelta(minutes=30)
OFFER_KEY = "offer:"


@dataclass(frozen=True)
class Undone:
    entry: Entry
    giver_id: str
    other_id: str  # the other person in the credit, told privately (unless a reaction)
    channel_id: str | None
    # The bot's message that celebrated it, as it should read now; None when none was kept.
    celebration: CelebrationNow | None
    # Celebrated by a /thanks command's own answer, which only its response_url can follow up.
    by_command: bool
    # That response_url, while Slack still takes posts on it.
    response_url: str | None
    reopened: Reopened | None


def giver_of(credit: Credit) -> str:
    return credit.helper_id if credit.source_key.startswith(OFFER_KEY) else credit.helped_id


def undo_last(session: Session, now: datetime, team_id: str, member_id: str) -> Undone:
    """Retract the newest credit `member_id` gave within the last 24 hours."""
    since = now - UNDO_WINDOW
    found = [
        # Two indexed reads, one per direction (bot.balance.history says why).
        _newest(session, team_id, since, Credit.helped_id == member_id, offers=False),
        _newest(session, team_id, since, Credit.helper_id == member_id, offers=True),
    ]
    candidates = [credit for credit in found if credit is not None]
    if not candidates:
        _refuse(session, team_id, since, member_id)
    credit = max(candidates, key=lambda row: (row.created_at, row.id))
    credit.retracted_at = now
    live_url = credit.response_url if now - credit.created_at < RESPONSE_URL_LIFE else None
    giver = giver_of(credit)
    celebration = celebration_now(session, credit)
    return Undone(
        entry=Entry.of(credit),
        giver_id=giver,
        other_id=credit.helped_id if giver == credit.helper_id else credit.helper_id,
        channel_id=credit.channel_id,
        celebration=celebration,
        by_command=celebration is None and credit.response_url is not None,
        response_url=live_url,
        reopened=reopen_request(session, credit),
    )


def _newest(
    session: Session, team_id: str, since: datetime, whose: ColumnElement[bool], *, offers: bool
) -> Credit | None:
    from_an_offer = Credit.source_key.startswith(OFFER_KEY)
    return session.scalar(
        select(Credit)
        .where(
            Credit.team_id == team_id,
            whose,
            Credit.created_at > since,
            Credit.retracted_at.is_(None),
            from_an_offer if offers else ~from_an_offer,
        )
        .order_by(Credit.created_at.desc(), Credit.id.desc())
        .limit(1)
        .with_for_update()
    )


def _refuse(session: Session, team_id: str, since: datetime, member_id: str) -> NoReturn:
    """Nothing of theirs to take back: say whose it is when their newest entry is someone
    else's to take back (an offer they took up), or that there is nothing."""
    theirs = session.scalar(
        select(Credit.helper_id)
        .where(
            Credit.team_id == team_id,
            Credit.helped_id == member_id,
            Credit.created_at > since,
            Credit.retracted_at.is_(None),
            Credit.source_key.startswith(OFFER_KEY),
        )
        .order_by(Credit.created_at.desc(), Credit.id.desc())
        .limit(1)
    )
    if theirs is not None:
        raise NotAllowedError(
            f"Your newest entry is <@{theirs}>'s offer, which they confirmed: only they can "
            "take it back. If it was a mistake, let them know."
        )
    raise NothingToUndoError(
        "There's nothing of yours to undo from the last 24 hours. `/favor history` shows "
        "your entries; older ones stay as they are."
    )
