from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.asks.blocks import answer_dm, answer_sent, could_not_reach, request_message
from bot.asks.closing import expired_request
from bot.asks.requests import OFFER, answer_request, drop_answer, note_dm
from bot.busy.blocks import busy_note
from bot.busy.rules import busy_status
from bot.deps import Deps
from bot.errors import InputError, RequestClosedError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import click_of, update
from bot.slack.api import NOT_SENT, user_fetcher

log = logging.getLogger(__name__)


def handle_answer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**I can help** on an ask, **I'd like this** on an offer: tell its author, by DM."""
    ack()
    click = click_of(body, action)
    try:
        words, _ = tell_author(client, deps, click.team_id, click.value, click.user_id)
    except RequestClosedError as error:
        words = error.user_message
        with deps.sessions() as session:
            expired = expired_request(session, click.team_id, click.value)
        if expired is not None:  # the tick that closed it could not change its message
            update(client, expired.channel_id, expired.message_ts, request_message(expired))
    except InputError as error:
        words = error.user_message
    respond(**private_note(words))


def tell_author(
    client: WebClient, deps: Deps, team_id: str, public_id: str, user_id: str
) -> tuple[str, bool]:
    """`user_id` answered the request `public_id`: tell its author. Returns the words for the
    person who clicked, and whether the author was told; raises InputError for a click that
    changes nothing (their own request, a closed one, a second click).

    The answer is claimed first, so a double click finds it taken and sends nothing twice;
    the DM's place is noted afterwards, for the author's click to update it.
    """
    with deps.sessions.begin() as session:
        answered = answer_request(
            session, deps.clock(), team_id, public_id, user_id, user_fetcher(client)
        )
        request = answered.request
        # An offer whose author is at capacity now: they still hear of it, and whoever
        # clicked learns when they are back and whom they named.
        away = None
        if request.kind == OFFER:
            away = busy_status(session, team_id, request.author_id, deps.clock())
    try:
        dm = client.chat_postMessage(
            channel=request.author_id,
            **answer_dm(request, user_id, answered.responder_name),
        )
    except NOT_SENT:  # the DM never left
        log.warning("could not tell %s about an answer", request.author_id, exc_info=True)
        with deps.sessions.begin() as session:
            drop_answer(session, team_id, request.public_id, user_id)
        return could_not_reach(request), False
    with deps.sessions.begin() as session:
        note_dm(session, team_id, request.public_id, user_id, dm["channel"], dm["ts"])
    words = answer_sent(request)
    return (words if away is None else f"{words} {busy_note(away)}"), True
