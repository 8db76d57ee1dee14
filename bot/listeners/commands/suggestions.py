"""An ask's likely helpers, worked out and sent to its author after the ask is answered.

The ask's acknowledgement does not wait for them: `/favor ask` hands this to Bolt's listener
executor (the thread pool Bolt runs lazy listeners on) once the ask is recorded. The
suggestions are kept once per ask and their DM is an outbox message under a dedupe key, so a
retried ask or a second process never sends them twice; a DM Slack did not take is left to
the scheduler's sender.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.scheduler.planned import Planned, plan
from bot.suggestions.blocks import suggestions_message
from bot.suggestions.delivery import send_now
from bot.suggestions.likely import NOTE_KIND, suggest

log = logging.getLogger(__name__)
SUGGESTIONS_EXPIRE = timedelta(hours=12)


def suggest_after_ack(
    context: BoltContext, client: WebClient, deps: Deps, team_id: str, public_id: str
) -> None:
    """Work out the ask's likely helpers once the command has been answered."""
    context.listener_runner.listener_executor.submit(
        deliver_suggestions, client, deps, team_id, public_id
    )


def deliver_suggestions(client: WebClient, deps: Deps, team_id: str, public_id: str) -> None:
    try:
        now = deps.clock()
        key = f"suggestions:{team_id}:{public_id}"
        with deps.sessions.begin() as session:
            found = suggest(session, now, team_id, public_id)
            if found is None:
                return
            request, people = found
            if not people:
                return
            plan(
                session,
                team_id,
                [
                    Planned(
                        dedupe_key=key,
                        kind=NOTE_KIND,
                        channel_id=request.author_id,
                        recipient_id=request.author_id,
                        payload=suggestions_message(request, people),
                        due_at=now,
                        expires_at=now + SUGGESTIONS_EXPIRE,
                    )
                ],
            )
        send_now(deps.sessions, client, deps.clock, [key])
    except Exception:
        log.exception("could not suggest helpers for ask %s", public_id)
