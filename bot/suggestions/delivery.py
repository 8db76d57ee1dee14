"""Sending an ask's suggestions and notes at once, through the outbox's own steps.

Each message is an outbox row under a dedupe key, written in the transaction that decided it.
It is then sent straight away by the process that wrote it: held, started (marked `sending`
before the Web API call), marked sent. A call Slack may not have received is released for the
scheduler's sender to retry; one that may have reached Slack is never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import OutboxMessage
from bot.scheduler.outbox import (
    Held,
    mark_failed,
    mark_sent,
    mark_uncertain,
    release,
    start_sending,
)
from bot.scheduler.sender import PERMANENT_ERRORS, new_worker_id

log = logging.getLogger(__name__)
RETRY_LATER = timedelta(minutes=1)


def send_now(
    sessions: sessionmaker[Session],
    client: WebClient,
    clock: Callable[[], datetime],
    dedupe_keys: Sequence[str],
) -> int:
    """Send the pending outbox messages under `dedupe_keys`; return how many went."""
    worker_id = new_worker_id()
    sent = 0
    for key in dedupe_keys:
        now = clock()
        with sessions.begin() as session:
            held = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.dedupe_key == key,
                    OutboxMessage.status == "pending",
                    OutboxMessage.claimed_by.is_(None),
                )
                .values(claimed_by=worker_id, claimed_at=now)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.channel_id,
                    OutboxMessage.due_at,
                    OutboxMessage.team_id,
                )
            ).one_or_none()
            started = (
                start_sending(session, Held(*held), now, worker_id) if held is not None else None
            )
        if started is None:
            continue
        blocks = started.payload.get("blocks")
        try:
            response = client.chat_postMessage(
                channel=started.channel_id,
                text=str(started.payload.get("text") or ""),
                blocks=blocks if isinstance(blocks, list) else None,
                unfurl_links=False,
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            with sessions.begin() as session:
                if code in PERMANENT_ERRORS:
                    mark_failed(session, started.id, PERMANENT_ERRORS[code])
                else:
                    release(session, started.id, clock() + RETRY_LATER, f"Slack said {code}")
            continue
        except Exception as error:
            log.warning("outbox message %s may or may not have been sent", started.id)
            with sessions.begin() as session:
                mark_uncertain(session, started.id, f"Slack's answer was lost: {error!r}")
            continue
        with sessions.begin() as session:
            mark_sent(session, started.id, clock(), response["channel"], response["ts"])
        sent += 1
    return sent
