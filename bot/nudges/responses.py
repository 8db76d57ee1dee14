"""What a person does with a nudge: say thanks, offer help, set it aside, stop (or restart)
nudges altogether.

Every button carries the nudge's outbox key and nothing else: whom the nudge is for and whom
it is about are read back from the outbox row, so a button can only act for the person the
nudge was sent to, about the person it named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import (
    AlreadyDoneError,
    MissingTextError,
    NotAllowedError,
    NotAPersonError,
    ReasonTooLongError,
    RequestClosedError,
)
from bot.members.cache import workspace_for
from bot.models import Member, OutboxMessage
from bot.scheduler.planned import plan_again
from bot.slack.deliveries import first_delivery
from bot.thanks.parsing import length_problem

MAX_OFFER_LENGTH = 1000

GONE = "That nudge is no longer around, so its buttons don't do anything now. Nothing was changed."
NOT_YOURS = (
    "This nudge was for someone else, so its buttons are theirs to press. Nothing was changed."
)


@dataclass(frozen=True)
class Nudge:
    key: str
    id: int
    kind: str
    recipient_id: str
    about_id: str | None


@dataclass(frozen=True)
class ThanksTarget:
    """Whom a nudge's **Say thanks** thanks, and where public thanks go (None: nowhere, so
    they go to that person directly)."""

    helper_id: str
    public_channel_id: str | None


def nudge_for(session: Session, team_id: str, user_id: str, key: str) -> Nudge:
    """The nudge a button belongs to, if it was sent to the person who clicked."""
    row = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key == key,
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind == "nudge",
        )
    )
    if row is None or row.recipient_id is None:
        raise RequestClosedError(GONE)
    if row.recipient_id != user_id:
        raise NotAllowedError(NOT_YOURS)
    return Nudge(key, row.id, row.kind, row.recipient_id, row.about_user_id)


def thanks_target(session: Session, team_id: str, user_id: str, key: str) -> ThanksTarget:
    """**Say thanks**: the person the nudge named, if they can still be thanked."""
    helper_id = _named_person(session, team_id, nudge_for(session, team_id, user_id, key))
    channel = workspace_for(session, team_id).digest_channel_id
    return ThanksTarget(helper_id, channel or None)


def offer_target(session: Session, team_id: str, user_id: str, key: str) -> str:
    """**Offer help**: the person the nudge named, if they are still around to be offered it."""
    return _named_person(session, team_id, nudge_for(session, team_id, user_id, key))


@dataclass(frozen=True)
class Offer:
    helper_id: str  # the one who offers
    offered_to: str
    text: str


def send_offer(
    session: Session, now: datetime, team_id: str, user_id: str, key: str, text: str
) -> Offer:
    """The offer written in the **Offer help** form: checked, and let through once a nudge."""
    words = text.strip()
    if not words:
        raise MissingTextError(
            "Say what you could offer them, for example “a review of your next pull request”."
        )
    problem = length_problem(words, MAX_OFFER_LENGTH, "Your offer is")
    if problem is not None:
        raise ReasonTooLongError(problem)
    nudge = nudge_for(session, team_id, user_id, key)
    offered_to = _named_person(session, team_id, nudge)
    # Remembered like a handled event: a second submission finds the first one's row.
    if not first_delivery(session, team_id, f"nudge-offer:{nudge.id}", "nudge_offer", now):
        raise AlreadyDoneError(
            "You already sent them an offer from this nudge. To add to it, write to them directly."
        )
    return Offer(helper_id=user_id, offered_to=offered_to, text=words)


def stop_nudges(session: Session, team_id: str, user_id: str, key: str) -> Nudge:
    """**Stop these nudges**: at once, including any nudge already planned but not yet sent."""
    nudge = nudge_for(session, team_id, user_id, key)
    _member(session, team_id, user_id).nudges_opt_out = True
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient_id == user_id,
            OutboxMessage.kind == "nudge",
            OutboxMessage.status == "pending",
        )
        .values(status="expired", error="Not sent: they turned nudges off.")
    )
    return nudge


def resume_nudges(session: Session, team_id: str, user_id: str, key: str) -> Nudge:
    """**Turn nudges back on**, from the message that stopped them."""
    nudge = nudge_for(session, team_id, user_id, key)
    member = _member(session, team_id, user_id)
    if member.nudges_opt_out:
        member.nudges_opt_out = False
        plan_again(session, team_id)  # a nudge due now is planned by the next tick
    return nudge


def _named_person(session: Session, team_id: str, nudge: Nudge) -> str:
    if nudge.about_id is None:
        raise RequestClosedError(GONE)
    person = session.get(Member, (team_id, nudge.about_id))
    if person is None or person.is_deactivated or person.is_bot:
        name = person.label if person is not None else "That person"
        raise NotAPersonError(
            f"{name} is no longer active in this workspace, so this can't reach them. "
            "Thank or help the people who are around now."
        )
    return person.user_id


def _member(session: Session, team_id: str, user_id: str) -> Member:
    member = session.get(Member, (team_id, user_id))
    if member is None:
        raise RequestClosedError(GONE)
    return member
