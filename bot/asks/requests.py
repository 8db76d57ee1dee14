"""Asks ("I need …") and offers ("I can give …"): posted in a channel, answered with a button.

An ask's author is helped by whoever answers it; an offer's author helps whoever answers it.
The message is posted before its row exists, so its buttons carry a `public_id` made first;
every later click finds the row by that id and locks it, so that double clicks and two people
clicking at once change it once. Closing one (`bot.asks.closing`) records the favour.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from bot.asks.guards import locked_request, require_open
from bot.db import insert_new
from bot.errors import AlreadyDoneError, RequestClosedError, SelfCreditError
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.models import ChannelArchival, FavorRequest, FavorResponse, Member

ASK, OFFER = "ask", "offer"
# The author is reminded of answers still waiting this long after the first (bot.asks.plan).
REMIND_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class RequestInfo:
    """What the messages about an ask or an offer show."""

    public_id: str
    kind: str
    author_id: str
    text: str
    channel_id: str
    message_ts: str | None
    status: str
    counterpart_id: str | None
    # Its channel was archived or deleted since it was posted: nobody can answer it there.
    in_archived_channel: bool = False
    size: str = "small"  # small, medium or big: the favour's, unless the author changes it
    # Those credited when it closed (who helped with an ask, who got an offer), in order.
    helper_ids: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        row: FavorRequest,
        *,
        in_archived_channel: bool = False,
        helper_ids: Sequence[str] = (),
    ) -> RequestInfo:
        return cls(
            public_id=row.public_id,
            kind=row.kind,
            author_id=row.author_id,
            text=row.text,
            channel_id=row.channel_id,
            message_ts=row.message_ts,
            status=row.status,
            counterpart_id=row.counterpart_id,
            in_archived_channel=in_archived_channel,
            size=row.size,
            helper_ids=tuple(helper_ids),
        )


def new_public_id() -> str:
    return str(uuid.uuid4())


def open_request(
    session: Session,
    now: datetime,
    *,
    team_id: str,
    kind: str,
    author_id: str,
    text: str,
    channel_id: str,
    public_id: str,
    message_ts: str,
    in_public_channel: bool | None,
    size: str = "small",
) -> RequestInfo:
    """Record an ask or offer whose message is already posted (at `message_ts`), and whether
    its channel is public (None: not known)."""
    workspace_for(session, team_id)
    row = FavorRequest(
        public_id=public_id,
        team_id=team_id,
        kind=kind,
        author_id=author_id,
        text=text,
        size=size,
        channel_id=channel_id,
        in_public_channel=in_public_channel,
        message_ts=message_ts,
        status="open",
        created_at=now,
    )
    session.add(row)
    session.flush()
    return RequestInfo.of(row)


@dataclass(frozen=True)
class Answered:
    request: RequestInfo
    responder_name: str  # for the author's buttons, which cannot show a mention


def answer_request(
    session: Session,
    now: datetime,
    team_id: str,
    public_id: str,
    user_id: str,
    fetch_user: FetchUser,
) -> Answered:
    """`user_id` clicked **I can help** on an ask or **I'd like this** on an offer."""
    request = locked_request(session, team_id, public_id)
    if request.author_id == user_id:
        raise SelfCreditError(
            "This is your own ask. When someone offers to help, I'll send you a message to "
            "close it with."
            if request.kind == ASK
            else "This is your own offer. When someone would like it, I'll send you a message."
        )
    require_open(session, request)
    author = session.get(Member, (team_id, request.author_id))
    if author is not None and author.is_deactivated:
        raise RequestClosedError(
            f"<@{request.author_id}> has left the workspace, so this {request.kind} can't be "
            "answered any more. Nothing was changed."
        )
    row = {"request_id": request.id, "user_id": user_id, "created_at": now}
    if not insert_new(session, FavorResponse, [row], ["request_id", "user_id"]):
        raise AlreadyDoneError(
            f"You've already offered to help. <@{request.author_id}> knows and will get back "
            "to you."
            if request.kind == ASK
            else f"You've already asked for this. <@{request.author_id}> knows and will get "
            "back to you."
        )
    if request.remind_at is None and request.reminded_at is None:
        request.remind_at = now + REMIND_AFTER  # once, a day after the first answer
    responder = resolve_members(session, team_id, [user_id], fetch_user, now)[user_id]
    return Answered(RequestInfo.of(request), responder.label)


def note_dm(
    session: Session, team_id: str, public_id: str, user_id: str, dm_channel_id: str, dm_ts: str
) -> None:
    """Remember the DM that told the author about `user_id`'s answer, to update it later."""
    session.execute(
        update(FavorResponse)
        .where(
            FavorResponse.request_id == _request_id(team_id, public_id),
            FavorResponse.user_id == user_id,
        )
        .values(dm_channel_id=dm_channel_id, dm_ts=dm_ts)
    )


def drop_answer(session: Session, team_id: str, public_id: str, user_id: str) -> None:
    """Forget an answer whose author could not be told, so that it can be tried again."""
    session.execute(
        delete(FavorResponse).where(
            FavorResponse.request_id == _request_id(team_id, public_id),
            FavorResponse.user_id == user_id,
        )
    )


def open_requests(
    session: Session, team_id: str, author_id: str, limit: int
) -> tuple[list[RequestInfo], int]:
    """A member's newest open asks and offers (at most `limit`), and how many are open; those
    in a channel archived since say so, for the member to withdraw them or ask elsewhere."""
    total = func.count().over().label("total")
    rows = session.execute(
        select(FavorRequest, _in_an_archived_channel().label("archived"), total)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.author_id == author_id,
            FavorRequest.status == "open",
        )
        .order_by(FavorRequest.created_at.desc(), FavorRequest.id.desc())
        .limit(limit)
    ).all()
    found = [RequestInfo.of(row[0], in_archived_channel=bool(row.archived)) for row in rows]
    return found, (rows[0].total if rows else 0)


@dataclass(frozen=True)
class NearbyRequest:
    """Someone else's open ask or offer in one of a member's channels."""

    request: RequestInfo
    answered: bool  # the member has already said they can help, or would like it


def by_someone_still_here() -> Any:
    """The request's author has not left the workspace: the members cache does not have them
    deactivated. Lists meant for others (the Home's, the digest's) leave the rest out."""
    return ~exists().where(
        Member.team_id == FavorRequest.team_id,
        Member.user_id == FavorRequest.author_id,
        Member.is_deactivated,
    )


def in_a_live_channel() -> Any:
    """The request's channel has not been archived or deleted since: its buttons still
    answer. Lists meant for others (the Home's, the digest's) leave the rest out."""
    return ~_in_an_archived_channel()


def _in_an_archived_channel() -> Any:
    return exists().where(
        ChannelArchival.team_id == FavorRequest.team_id,
        ChannelArchival.channel_id == FavorRequest.channel_id,
        ChannelArchival.archived,
    )


def requests_nearby(
    session: Session, team_id: str, user_id: str, channel_ids: Collection[str], limit: int
) -> tuple[list[NearbyRequest], int]:
    """Other people's open asks and offers in `channel_ids` (the channels `user_id` is in),
    newest first (at most `limit`), and how many there are."""
    if not channel_ids:
        return [], 0
    answered = (
        exists()
        .where(FavorResponse.request_id == FavorRequest.id, FavorResponse.user_id == user_id)
        .label("answered")
    )
    total = func.count().over().label("total")
    rows = session.execute(
        select(FavorRequest, answered, total)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.status == "open",
            FavorRequest.author_id != user_id,
            FavorRequest.channel_id.in_(sorted(channel_ids)),
            by_someone_still_here(),
            in_a_live_channel(),
        )
        .order_by(FavorRequest.created_at.desc(), FavorRequest.id.desc())
        .limit(limit)
    ).all()
    found = [NearbyRequest(RequestInfo.of(row[0]), bool(row.answered)) for row in rows]
    return found, (rows[0].total if rows else 0)


def _request_id(team_id: str, public_id: str) -> ScalarSelect[int]:
    return (
        select(FavorRequest.id)
        .where(FavorRequest.team_id == team_id, FavorRequest.public_id == public_id)
        .scalar_subquery()
    )
