"""An ask or offer whose favour was taken back (`/favor undo`): the person it credited is no
longer among those it names, and once none of its favours counts any more it is open again,
as it was before *Done* (or *Confirm*): its answers are still there, and the author can
close it again from their DMs. The favour's key names the request and the person
(bot.asks.closing), so the request is found from the credit alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.asks.guards import credited_ids
from bot.asks.requests import ASK, OFFER, RequestInfo
from bot.models import Credit, FavorRequest, FavorResponse, Member


@dataclass(frozen=True)
class Waiting:
    """One answer waiting again on a reopened request, and the author's DM about it."""

    user_id: str
    name: str
    dm_channel_id: str
    dm_ts: str


@dataclass(frozen=True)
class Reopened:
    """The request after its favour was taken back: open again, or still closed on the
    favours of others (`request.helper_ids`)."""

    request: RequestInfo
    waiting: tuple[Waiting, ...]

    @property
    def is_open(self) -> bool:
        return self.request.status == "open"


def closed_by(credit: Credit) -> str | None:
    """The public id of the ask or offer whose Done (Confirm) recorded `credit`, or None."""
    kind, _, rest = credit.source_key.partition(":")
    if kind not in (ASK, OFFER) or credit.kind != "favor":
        return None
    team_id, _, rest = rest.partition(":")
    public_id = rest.partition(":")[0]
    return public_id if team_id == credit.team_id and public_id else None


def reopen_request(session: Session, credit: Credit) -> Reopened | None:
    """The request `credit` (just taken back) helped close, without it; None when there is
    none, or it is no longer closed."""
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
    person = credit.helper_id if request.kind == ASK else credit.helped_id
    session.execute(
        update(FavorResponse)
        .where(FavorResponse.request_id == request.id, FavorResponse.user_id == person)
        .values(credited=False)
    )
    # The taken-back favour gives up its key, so that closing the request again records a
    # new favour instead of finding this one already there (its key still names the request).
    credit.source_key = f"{credit.source_key}:undone:{credit.id}"
    prefix = f"{request.kind}:{request.team_id}:{request.public_id}"
    still = session.scalars(
        select(Credit)
        .where(
            Credit.team_id == request.team_id,
            Credit.source_key.startswith(prefix, autoescape=True),
            Credit.retracted_at.is_(None),
            Credit.id != credit.id,
        )
        .order_by(Credit.id)
    ).first()
    if still is not None:
        if request.credit_id == credit.id or request.counterpart_id == person:
            request.credit_id = still.id
            request.counterpart_id = still.helper_id if request.kind == ASK else still.helped_id
        session.flush()
        closed = RequestInfo.of(request, helper_ids=credited_ids(session, request))
        # Only the DM about that person's answer changes: it no longer says they were thanked.
        return Reopened(closed, _waiting(session, request, person))
    request.status = "open"
    request.closed_at = None
    request.counterpart_id = None
    request.credit_id = None
    return Reopened(RequestInfo.of(request), _waiting(session, request))


def _waiting(
    session: Session, request: FavorRequest, only: str | None = None
) -> tuple[Waiting, ...]:
    """The author's DMs about each answer (or only `only`'s), to show again as they stand."""
    query = (
        select(FavorResponse, Member)
        .outerjoin(
            Member,
            (Member.team_id == request.team_id) & (Member.user_id == FavorResponse.user_id),
        )
        .where(FavorResponse.request_id == request.id, FavorResponse.dm_ts.is_not(None))
        .order_by(FavorResponse.created_at, FavorResponse.user_id)
    )
    if only is not None:
        query = query.where(FavorResponse.user_id == only)
    rows = session.execute(query).all()
    return tuple(
        Waiting(
            response.user_id,
            member.label if member is not None else response.user_id,
            response.dm_channel_id,
            response.dm_ts,
        )
        for response, member in rows
        if response.dm_channel_id and response.dm_ts
    )
