"""An ask or offer reopened because the favour that closed it was taken back (`/favor undo`).

It closed on that favour, so once no favour of it counts any more it is open again, as it was
before *Done* (or *Confirm*): its answers are still there, and the author can close it again
from their DMs. The favour's key names the request (bot.asks.closing), whatever follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.asks.requests import ASK, OFFER, RequestInfo
from bot.models import Credit, FavorRequest, FavorResponse, Member


@dataclass(frozen=True)
class Waiting:
    """One answer still waiting on a reopened request, and the author's DM about it."""

    user_id: str
    name: str
    dm_channel_id: str
    dm_ts: str


@dataclass(frozen=True)
class Reopened:
    request: RequestInfo
    waiting: tuple[Waiting, ...]


def closed_by(credit: Credit) -> str | None:
    """The public id of the ask or offer whose Done (Confirm) recorded `credit`, or None."""
    kind, _, rest = credit.source_key.partition(":")
    if kind not in (ASK, OFFER) or credit.kind != "favor":
        return None
    team_id, _, rest = rest.partition(":")
    public_id = rest.partition(":")[0]
    return public_id if team_id == credit.team_id and public_id else None


def reopen_request(session: Session, credit: Credit) -> Reopened | None:
    """Reopen the request `credit` (just taken back) closed, unless another of its favours
    still counts; None when there is nothing to reopen."""
    public_id = closed_by(credit)
    if public_id is None:
        return None
    request = session.scalar(
        select(FavorRequest)
        .where(FavorRequest.team_id == credit.team_id, FavorRequest.public_id == public_id)
        .with_for_update()
    )
    if request is None or request.status != "fulfilled":
        return None
    prefix = f"{request.kind}:{request.team_id}:{request.public_id}"
    still_counts = session.scalar(
        select(
            exists().where(
                Credit.team_id == request.team_id,
                Credit.source_key.startswith(prefix, autoescape=True),
                Credit.retracted_at.is_(None),
                Credit.id != credit.id,
            )
        )
    )
    if still_counts:
        return None
    # The taken-back favour gives up its key, so that closing the request again records a
    # new favour instead of finding this one already there (its key still names the request).
    credit.source_key = f"{credit.source_key}:undone:{credit.id}"
    request.status = "open"
    request.closed_at = None
    request.counterpart_id = None
    request.credit_id = None
    rows = session.execute(
        select(FavorResponse, Member)
        .outerjoin(
            Member,
            (Member.team_id == request.team_id) & (Member.user_id == FavorResponse.user_id),
        )
        .where(FavorResponse.request_id == request.id, FavorResponse.dm_ts.is_not(None))
        .order_by(FavorResponse.created_at, FavorResponse.user_id)
    ).all()
    waiting = tuple(
        Waiting(
            response.user_id,
            member.label if member is not None else response.user_id,
            response.dm_channel_id,
            response.dm_ts,
        )
        for response, member in rows
        if response.dm_channel_id and response.dm_ts
    )
    return Reopened(RequestInfo.of(request), waiting)
