"""Closing asks and offers: **Done** / **Confirm** records the favour, **Not needed** /
**Decline** sets one answer aside, and the author may withdraw an open one.

Each locks the request's row first, so that double clicks, or the author clicking Done for two
helpers at once, close it once and record exactly one favour. The fair-use rules apply to that
favour as to any credit: over the daily cap, the request stays open until a later Done; with
the same words as a credit already given to that person today, the request closes on that
credit and nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.asks.requests import ASK, RequestInfo, locked_request, require_author, require_open
from bot.errors import AlreadyDoneError, DailyLimitError, RepeatedReasonError, RequestClosedError
from bot.ledger.credits import NewCredit
from bot.ledger.record import favour_words, record
from bot.members.cache import FetchUser
from bot.models import Credit, FavorRequest, FavorResponse


@dataclass(frozen=True)
class AnswerDm:
    """The DM that told the author about one person's answer."""

    user_id: str
    channel_id: str
    ts: str


@dataclass(frozen=True)
class Closed:
    request: RequestInfo
    dms: tuple[AnswerDm, ...]  # the author's DMs about every answer, to update


@dataclass(frozen=True)
class SetAside:
    request: RequestInfo
    user_id: str
    dm: AnswerDm | None


def fulfil_request(
    session: Session,
    now: datetime,
    team_id: str,
    public_id: str,
    responder_id: str,
    user_id: str,
    fetch_user: FetchUser,
) -> Closed:
    """The author clicked Done (ask) or Confirm (offer) for `responder_id`'s answer."""
    request = locked_request(session, team_id, public_id)
    require_author(request, user_id, "close")
    require_open(request)
    if session.get(FavorResponse, (request.id, responder_id)) is None:
        raise RequestClosedError(
            f"You already set <@{responder_id}>'s answer aside, so there's nothing to close."
        )
    ask = request.kind == ASK
    credit = NewCredit(
        helper_id=responder_id if ask else request.author_id,
        helped_id=request.author_id if ask else responder_id,
        kind="favor",
        # One favour per ask or offer, whoever answered: the database itself refuses a second.
        source_key=f"{request.kind}:{team_id}:{request.public_id}",
        reason=request.text,
        channel_id=request.channel_id,
        message_ts=request.message_ts,
        # The request was posted in its channel, and its message now says who answered it.
        quotable=request.in_public_channel,
    )
    words = favour_words(f"This {request.kind} stays open for others.")
    try:
        record(session, now, team_id, [credit], fetch_user, words=words)
    except RepeatedReasonError:
        # Already credited today for this very thing (a /thanks or a logged favour with the
        # same words): the help was recorded once, so the request closes on that record.
        pass
    except DailyLimitError:
        raise DailyLimitError(_over_the_daily_cap(request, responder_id)) from None
    request.status = "fulfilled"
    request.closed_at = now
    request.counterpart_id = responder_id
    request.credit_id = session.scalar(
        select(Credit.id).where(Credit.source_key == credit.source_key)
    )
    return Closed(RequestInfo.of(request), _dms(session, request))


def _over_the_daily_cap(request: FavorRequest, responder_id: str) -> str:
    """The author is told why Done or Confirm recorded nothing, and that it will work later."""
    if request.kind == ASK:
        return (
            f"You've already credited <@{responder_id}> as often as a day allows, so this "
            "favour can't be recorded today. Your ask stays open: click *Done* again tomorrow "
            "to record it and close it."
        )
    return (
        f"<@{responder_id}> has already credited you as often as a day allows, so this "
        "favour can't be recorded today. Your offer stays open: click *Confirm* again "
        "tomorrow to record it and close it."
    )


def set_aside(
    session: Session, team_id: str, public_id: str, responder_id: str, user_id: str
) -> SetAside:
    """The author clicked Not needed (ask) or Decline (offer) for one answer.

    The answer is forgotten, so its person may answer again later; the request stays open.
    """
    request = locked_request(session, team_id, public_id)
    require_author(request, user_id, "answer for")
    require_open(request)
    response = session.get(FavorResponse, (request.id, responder_id))
    if response is None:
        raise AlreadyDoneError(f"You already set <@{responder_id}>'s answer aside.")
    dm = None
    if response.dm_channel_id and response.dm_ts:
        dm = AnswerDm(responder_id, response.dm_channel_id, response.dm_ts)
    session.delete(response)
    return SetAside(RequestInfo.of(request), responder_id, dm)


def withdraw_request(
    session: Session, now: datetime, team_id: str, public_id: str, user_id: str
) -> Closed:
    request = locked_request(session, team_id, public_id)
    require_author(request, user_id, "withdraw")
    require_open(request)
    request.status = "withdrawn"
    request.closed_at = now
    return Closed(RequestInfo.of(request), _dms(session, request))


def _dms(session: Session, request: FavorRequest) -> tuple[AnswerDm, ...]:
    rows = session.scalars(
        select(FavorResponse)
        .where(FavorResponse.request_id == request.id, FavorResponse.dm_ts.is_not(None))
        .order_by(FavorResponse.created_at, FavorResponse.user_id)
    )
    return tuple(
        AnswerDm(row.user_id, row.dm_channel_id, row.dm_ts)
        for row in rows
        if row.dm_channel_id and row.dm_ts
    )
