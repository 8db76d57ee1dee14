"""`/favor @a what they did [size]`: a favour `@a` did for the caller, logged privately.

The caller may then share it in the channel, once (the **Thank publicly** button).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import (
    AlreadyDoneError,
    NotAllowedError,
    RequestClosedError,
    SelfCreditError,
)
from bot.favours.parsing import FavorLog
from bot.ledger.credits import NewCredit
from bot.ledger.record import favour_words, record
from bot.members.cache import FetchUser
from bot.models import Credit
from bot.slack.deliveries import first_delivery, forget_delivery

FAVOR_USAGE_HINT = "Type `/favor @someone what they did`, picking the person from the autocomplete."


@dataclass(frozen=True)
class FavorLogRequest:
    team_id: str
    user_id: str  # the person the favour was done for: they log it
    channel_id: str
    parsed: FavorLog
    # Unique per invocation (the slash command's trigger_id), as for /thanks.
    request_key: str


@dataclass(frozen=True)
class LoggedFavor:
    credit_id: int
    helper_id: str
    helped_id: str
    description: str
    size: str
    already_recorded: bool


def log_favor(
    session: Session, now: datetime, request: FavorLogRequest, fetch_user: FetchUser
) -> LoggedFavor:
    parsed = request.parsed
    if parsed.helper_id == request.user_id:
        raise SelfCreditError(
            "A favour is something someone else did for you, so you can't log one for "
            f"yourself. {FAVOR_USAGE_HINT}"
        )
    credit = NewCredit(
        helper_id=parsed.helper_id,
        helped_id=request.user_id,
        kind="favor",
        source_key=f"favor:{request.team_id}:{request.request_key}",
        weight=parsed.weight,
        reason=parsed.description,
        channel_id=request.channel_id,
    )
    new = record(
        session, now, request.team_id, [credit], fetch_user, words=favour_words(FAVOR_USAGE_HINT)
    )
    credit_id = session.scalar(select(Credit.id).where(Credit.source_key == credit.source_key))
    assert credit_id is not None
    return LoggedFavor(
        credit_id=credit_id,
        helper_id=parsed.helper_id,
        helped_id=request.user_id,
        description=parsed.description,
        size=parsed.size,
        already_recorded=new == 0,
    )


@dataclass(frozen=True)
class SharedFavor:
    helper_id: str
    helped_id: str
    description: str
    weight: int


def share_favor(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    credit_id: int,
    *,
    quotable: bool | None = False,
) -> SharedFavor:
    """Allow one public shout-out for a favour `user_id` logged; refuse every later click.
    `quotable`: the shout-out goes where the workspace may read it (a public channel), so the
    digest may quote the favour from now on; None when Slack would not say whether it does."""
    credit = session.scalar(
        select(Credit)
        .where(Credit.id == credit_id, Credit.team_id == team_id, Credit.kind == "favor")
        .with_for_update()
    )
    if credit is None:
        raise RequestClosedError("I can't find that favour any more, so there's nothing to share.")
    if credit.helped_id != user_id:
        raise NotAllowedError(
            "Only the person who logged this favour can share it. "
            "To thank someone yourself, use `/thanks @someone`."
        )
    if credit.retracted_at is not None:
        raise RequestClosedError("You undid that favour, so there's nothing to share.")
    # The shout-out is remembered like a handled event: a second click, however quick, finds
    # the first one's row and posts nothing.
    if not first_delivery(session, team_id, _shout_out(credit.id), "favor_shout_out", now):
        raise AlreadyDoneError("That favour is already shared in the channel.")
    credit.quotable = quotable
    return SharedFavor(
        helper_id=credit.helper_id,
        helped_id=credit.helped_id,
        description=credit.reason or "",
        weight=credit.weight,
    )


def unshare_favor(session: Session, team_id: str, credit_id: int) -> None:
    """The shout-out surely never reached Slack: the next click may share the favour."""
    forget_delivery(session, team_id, _shout_out(credit_id))
    credit = session.get(Credit, credit_id)
    if credit is not None and credit.team_id == team_id:
        credit.quotable = False  # private again, as logged


def _shout_out(credit_id: int) -> str:
    return f"favor-shout-out:{credit_id}"
