"""What every click on an ask or offer checks first: the request, locked; whether it is still
open; whether the one clicking is its author."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotAllowedError, RequestClosedError
from bot.models import FavorRequest, FavorResponse
from bot.slack.messages import join_names, mention


def locked_request(
    session: Session, team_id: str, public_id: str, *, lock: bool = True
) -> FavorRequest:
    """The request a button names, locked until the transaction ends (PostgreSQL; SQLite
    serialises writers already), unless it is only read (`lock=False`)."""
    query = select(FavorRequest).where(
        FavorRequest.team_id == team_id, FavorRequest.public_id == public_id[:36]
    )
    request = session.scalar(query.with_for_update() if lock else query)
    if request is None:
        raise RequestClosedError(
            "I can't find that any more; it may have been removed. Nothing was changed."
        )
    return request


def credited_ids(session: Session, request: FavorRequest) -> list[str]:
    """Those credited when `request` closed, the first one first."""
    credited = list(
        session.scalars(
            select(FavorResponse.user_id)
            .where(FavorResponse.request_id == request.id, FavorResponse.credited)
            .order_by(FavorResponse.created_at, FavorResponse.user_id)
        )
    )
    first = request.counterpart_id
    if first and first in credited:
        credited.remove(first)
        credited.insert(0, first)
    return credited or ([first] if first else [])


def require_open(session: Session, request: FavorRequest) -> None:
    if request.status == "open":
        return
    if request.status == "withdrawn":
        raise RequestClosedError(f"This {request.kind} was withdrawn, so it needs nothing more.")
    if request.status == "expired":
        raise RequestClosedError(
            f"This {request.kind} was open so long that it closed on its own, so it needs "
            "nothing more."
        )
    names = join_names([mention(user_id) for user_id in credited_ids(session, request)])
    if request.kind == "ask":
        raise RequestClosedError(f"This ask is already closed: {names} helped with it.")
    raise RequestClosedError(f"This offer is already closed: it went to {names}.")


def require_author(request: FavorRequest, user_id: str, doing: str) -> None:
    if request.author_id != user_id:
        raise NotAllowedError(
            f"Only <@{request.author_id}> can {doing} this {request.kind}. "
            + (
                "To help, click *I can help*."
                if request.kind == "ask"
                else "To ask for it, click *I'd like this*."
            )
        )
