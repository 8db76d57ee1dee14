"""Asks and offers left waiting: their author is reminded once of the answers, and a request
still open after the workspace's `ask_expiry_days` closes on its own, with a note.

Both are DMs to the author planned through the outbox (kind "ask"), each under a dedupe key
of its own request, so that planning one again is harmless. The request's row says what is
due (bot.models.FavorRequest: `remind_at`, set a day after the first answer; its
`created_at`), and is changed in the tick's transaction that plans the DM: an expired request
is closed, a reminded one is not reminded again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.asks.blocks import expiry_note, reminder_message
from bot.asks.requests import RequestInfo
from bot.models import FavorRequest, FavorResponse, Workspace
from bot.scheduler.planned import Planned

# Not sent within this long of its time (downtime), a reminder or an expiry note is dropped:
# it would only arrive stale.
REMINDER_GRACE = timedelta(hours=12)
EXPIRY_NOTE_GRACE = timedelta(days=1)
# Requests planned in one tick, each kind; the rest are planned by the next ticks.
PLAN_BATCH = 500


def reminder_key(team_id: str, public_id: str) -> str:
    return f"ask-reminder:{team_id}:{public_id}"


def expiry_key(team_id: str, public_id: str) -> str:
    return f"ask-expired:{team_id}:{public_id}"


def plan_requests(session: Session, workspace: Workspace, now: datetime) -> list[Planned]:
    """Expire the workspace's requests open too long, and remind of answers waiting: the DMs
    due now. Expiry comes first: a request due for both gets only the expiry note."""
    team_id, days = workspace.team_id, workspace.ask_expiry_days
    planned: list[Planned] = []
    expiring = session.scalars(
        select(FavorRequest)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.status == "open",
            FavorRequest.created_at <= now - timedelta(days=days),
        )
        .order_by(FavorRequest.created_at, FavorRequest.id)
        .limit(PLAN_BATCH)
        .with_for_update()
    ).all()
    for request in expiring:
        request.status, request.closed_at, request.remind_at = "expired", now, None
        planned.append(
            _dm(
                expiry_key(team_id, request.public_id),
                request,
                # As long as it was open: more than `days` when the setting was shortened.
                expiry_note(
                    RequestInfo.of(request),
                    max(days, (now - request.created_at).days),
                    _waiting(session, request),
                ),
                now,
                EXPIRY_NOTE_GRACE,
            )
        )
    reminding = session.scalars(
        select(FavorRequest)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.status == "open",
            FavorRequest.remind_at <= now,
        )
        .order_by(FavorRequest.remind_at, FavorRequest.id)
        .limit(PLAN_BATCH)
        .with_for_update()
    ).all()
    for request in reminding:
        request.remind_at = None  # once: answers set aside since leave nothing to remind of
        waiting = _waiting(session, request)
        if not waiting:
            continue
        request.reminded_at = now
        message = reminder_message(RequestInfo.of(request), waiting)
        planned.append(
            _dm(reminder_key(team_id, request.public_id), request, message, now, REMINDER_GRACE)
        )
    return planned


def next_due(session: Session, team_ids: Collection[str] | None = None) -> dict[str, datetime]:
    """For each workspace with a request open, when its next reminder or expiry is due; one
    statement over the open requests of every workspace (or of `team_ids`)."""
    query = (
        select(
            FavorRequest.team_id,
            Workspace.ask_expiry_days,
            func.min(FavorRequest.created_at),
            func.min(FavorRequest.remind_at),
        )
        .join(Workspace, Workspace.team_id == FavorRequest.team_id)
        .where(FavorRequest.status == "open")
        .group_by(FavorRequest.team_id, Workspace.ask_expiry_days)
    )
    if team_ids is not None:
        query = query.where(FavorRequest.team_id.in_(sorted(team_ids)))
    due: dict[str, datetime] = {}
    for team_id, days, oldest, remind_at in session.execute(query):
        expires = oldest + timedelta(days=days)
        due[team_id] = min(expires, remind_at) if remind_at is not None else expires
    return due


def requests_due(session: Session, now: datetime) -> set[str]:
    """The workspaces with a reminder or an expiry due at `now`: the ones a tick must plan."""
    return {team_id for team_id, at in next_due(session).items() if at <= now}


def _waiting(session: Session, request: FavorRequest) -> list[str]:
    return list(
        session.scalars(
            select(FavorResponse.user_id)
            .where(FavorResponse.request_id == request.id)
            .order_by(FavorResponse.created_at, FavorResponse.user_id)
        )
    )


def _dm(
    key: str, request: FavorRequest, message: dict[str, object], now: datetime, grace: timedelta
) -> Planned:
    return Planned(
        dedupe_key=key,
        kind="ask",
        channel_id=request.author_id,  # a user ID: the app's DM with them
        recipient_id=request.author_id,
        payload=message,
        due_at=now,
        expires_at=now + grace,
    )
