"""Closing asks and offers: **Done** / **Confirm** opens a form (bot.asks.form) where the
author picks who helped (or who got it) and the favour's size, and its submission credits each
one; **Not needed** / **Decline** sets one answer aside; the author may withdraw an open one.

Each locks the request's row first, so that double clicks, a form sent twice, or two forms
at once close it once and credit each person once (each credit's key names the request and
the person, so the database itself refuses a second). The fair-use rules apply to each credit
as to any: someone over the daily cap is skipped and named; when nobody could be credited,
the request stays open until a later Done. Someone already credited today in the same words
counts as credited, and nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.asks.guards import locked_request, require_author, require_open
from bot.asks.requests import ASK, RequestInfo
from bot.errors import (
    AlreadyDoneError,
    DailyLimitError,
    InputError,
    MalformedRequestError,
    NoRecipientError,
    NotAPersonError,
    RepeatedReasonError,
    RequestClosedError,
)
from bot.favours.parsing import FAVOR_SIZES
from bot.ledger.credits import NewCredit
from bot.ledger.record import favour_words, record
from bot.members.cache import FetchUser, resolve_members
from bot.models import Credit, FavorRequest, FavorResponse


@dataclass(frozen=True)
class AnswerDm:
    """The DM that told the author about one person's answer."""

    user_id: str
    channel_id: str
    ts: str


@dataclass(frozen=True)
class Closed:
    """A request withdrawn."""

    request: RequestInfo
    dms: tuple[AnswerDm, ...]  # the author's DMs about every answer, to update


@dataclass(frozen=True)
class SetAside:
    request: RequestInfo
    user_id: str
    dm: AnswerDm | None


@dataclass(frozen=True)
class Volunteer:
    user_id: str
    name: str  # as Slack shows them: a form's options cannot show a mention


@dataclass(frozen=True)
class ToClose:
    """What the Done form offers: the request, and everyone whose answer is waiting."""

    request: RequestInfo
    volunteers: tuple[Volunteer, ...]


def to_close(
    session: Session,
    now: datetime,
    team_id: str,
    public_id: str,
    user_id: str,
    fetch_user: FetchUser,
) -> ToClose:
    """The author clicked Done (ask) or Confirm (offer): whom the form lists, all ticked.
    Only read: the form's submission checks it all again, locked."""
    request = locked_request(session, team_id, public_id, lock=False)
    require_author(request, user_id, "close")
    require_open(session, request)
    waiting = [row.user_id for row in _waiting(session, request)]
    if not waiting:
        raise RequestClosedError(
            f"Nobody's answer is waiting on this {request.kind} any more, so there's nobody "
            f"to credit. When someone answers, I'll tell you; or withdraw it from its message."
        )
    names = resolve_members(session, team_id, waiting, fetch_user, now)
    volunteers = tuple(Volunteer(user_id, names[user_id].label) for user_id in waiting)
    return ToClose(RequestInfo.of(request), volunteers)


@dataclass(frozen=True)
class Fulfilled:
    request: RequestInfo  # its helper_ids: those credited
    dms: tuple[AnswerDm, ...]  # the author's DMs about every answer, to update
    not_picked: tuple[str, ...]  # answered, and left unticked: a kind note each
    skipped: tuple[str, ...]  # ticked, and not credited: why, in the author's words


def fulfil_request(
    session: Session,
    now: datetime,
    team_id: str,
    public_id: str,
    user_id: str,
    picked: Sequence[str],
    size: str,
    fetch_user: FetchUser,
) -> Fulfilled:
    """The Done (Confirm) form sent: credit each picked volunteer, with a favour of `size`."""
    request = locked_request(session, team_id, public_id)
    require_author(request, user_id, "close")
    require_open(session, request)
    if size not in FAVOR_SIZES:
        raise MalformedRequestError()
    waiting = {row.user_id: row for row in _waiting(session, request)}
    picked = list(dict.fromkeys(picked))
    if not picked:
        raise NoRecipientError(
            "Tick at least one person. If nobody helped, close this form and click "
            "*Not needed* on their answers instead."
            if request.kind == ASK
            else "Tick at least one person. If nobody got it, close this form and click "
            "*Decline* on their answers instead."
        )
    strangers = [person for person in picked if person not in waiting]
    if strangers:
        raise AlreadyDoneError(
            f"<@{strangers[0]}> has no answer waiting on this {request.kind} (it may have been "
            "set aside meanwhile). Close this form and click *Done* again."
        )
    credited: list[str] = []
    refusals: list[InputError] = []
    for person in picked:
        try:
            _credit(session, now, team_id, request, person, size, fetch_user)
        except (DailyLimitError, NotAPersonError) as refusal:
            refusals.append(refusal)
            continue
        credited.append(person)
        waiting[person].credited = True
    if not credited:
        first = refusals[0]
        if isinstance(first, DailyLimitError):
            raise DailyLimitError(_over_the_daily_cap(request, picked)) from None
        raise first
    request.status = "fulfilled"
    request.closed_at = now
    request.size = size
    request.counterpart_id = credited[0]
    request.credit_id = session.scalar(
        select(Credit.id).where(Credit.source_key == _key(team_id, request, credited[0]))
    )
    return Fulfilled(
        RequestInfo.of(request, helper_ids=credited),
        _dms(session, request),
        tuple(person for person in waiting if person not in picked),
        tuple(refusal.user_message for refusal in refusals),
    )


def _credit(
    session: Session,
    now: datetime,
    team_id: str,
    request: FavorRequest,
    person: str,
    size: str,
    fetch_user: FetchUser,
) -> None:
    """One volunteer's credit: from the asker to them, or from them to the offerer."""
    ask = request.kind == ASK
    credit = NewCredit(
        helper_id=person if ask else request.author_id,
        helped_id=request.author_id if ask else person,
        kind="favor",
        source_key=_key(team_id, request, person),
        weight=FAVOR_SIZES[size],
        reason=request.text,
        channel_id=request.channel_id,
        message_ts=request.message_ts,
        # The request was posted in its channel, and its message now says who answered it.
        quotable=request.in_public_channel,
    )
    words = favour_words(f"This {request.kind} stays open for others.")
    # Already credited today for this very thing (a /thanks or a logged favour with the
    # same words): the help was recorded once, and counts for closing the request.
    with suppress(RepeatedReasonError):
        record(session, now, team_id, [credit], fetch_user, words=words)


def _key(team_id: str, request: FavorRequest, person: str) -> str:
    # One favour per request and person: the database itself refuses a second.
    return f"{request.kind}:{team_id}:{request.public_id}:{person}"


def _waiting(session: Session, request: FavorRequest) -> list[FavorResponse]:
    """The answers not set aside, in the order they came."""
    return list(
        session.scalars(
            select(FavorResponse)
            .where(FavorResponse.request_id == request.id)
            .order_by(FavorResponse.created_at, FavorResponse.user_id)
        )
    )


def _over_the_daily_cap(request: FavorRequest, picked: Sequence[str]) -> str:
    """The author is told why Done or Confirm recorded nothing, and that it will work later."""
    who = " and ".join(f"<@{person}>" for person in picked[:2])
    if len(picked) > 2:
        who = f"<@{picked[0]}> and the others"
    if request.kind == ASK:
        return (
            f"You've already credited {who} as often as a day allows, so this favour can't "
            "be recorded today. Your ask stays open: click *Done* again tomorrow to record "
            "it and close it."
        )
    return (
        f"{who} {'has' if len(picked) == 1 else 'have'} already credited you as often as a "
        "day allows, so this favour can't be recorded today. Your offer stays open: click "
        "*Confirm* again tomorrow to record it and close it."
    )


def set_aside(
    session: Session, team_id: str, public_id: str, responder_id: str, user_id: str
) -> SetAside:
    """The author clicked Not needed (ask) or Decline (offer) for one answer.

    The answer is forgotten, so its person may answer again later; the request stays open.
    """
    request = locked_request(session, team_id, public_id)
    require_author(request, user_id, "answer for")
    require_open(session, request)
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
    require_open(session, request)
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


def expired_request(session: Session, team_id: str, public_id: str) -> RequestInfo | None:
    """The request, when it expired (bot.asks.plan): its channel message, which the tick could
    not change, is brought up to date at the first click on it."""
    request = session.scalar(
        select(FavorRequest).where(
            FavorRequest.team_id == team_id, FavorRequest.public_id == public_id[:36]
        )
    )
    return RequestInfo.of(request) if request is not None and request.status == "expired" else None
