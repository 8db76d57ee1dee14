"""The author's clicks: Done / Confirm, Not needed / Decline (in their DM), Withdraw."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.asks.blocks import answer_dm_outcome, request_message, responder_note
from bot.asks.closing import Closed, fulfil_request, set_aside, withdraw_request
from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import BUTTON_GONE, answer_of, click_of, send_dm, update
from bot.slack.api import user_fetcher


def handle_fulfil(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    ack()
    click = click_of(body, action)
    answer = answer_of(click.value)
    if answer is None:
        respond(**private_note(BUTTON_GONE))
        return
    public_id, responder_id = answer
    try:
        with deps.sessions.begin() as session:
            closed = fulfil_request(
                session,
                deps.clock(),
                click.team_id,
                public_id,
                responder_id,
                click.user_id,
                user_fetcher(client),
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    _show_closed(client, closed)
    send_dm(client, responder_id, responder_note(closed.request, responder_id))


def handle_set_aside(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    ack()
    click = click_of(body, action)
    answer = answer_of(click.value)
    if answer is None:
        respond(**private_note(BUTTON_GONE))
        return
    public_id, responder_id = answer
    try:
        with deps.sessions.begin() as session:
            aside = set_aside(session, click.team_id, public_id, responder_id, click.user_id)
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    if aside.dm is not None:
        update(
            client, aside.dm.channel_id, aside.dm.ts, answer_dm_outcome(aside.request, responder_id)
        )
    send_dm(client, responder_id, responder_note(aside.request, responder_id))


def handle_withdraw(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    ack()
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            closed = withdraw_request(
                session, deps.clock(), click.team_id, click.value, click.user_id
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    _show_closed(client, closed)


def _show_closed(client: WebClient, closed: Closed) -> None:
    """The channel message shows the outcome, and the author's DMs lose their buttons."""
    request = closed.request
    update(client, request.channel_id, request.message_ts, request_message(request))
    for dm in closed.dms:
        update(client, dm.channel_id, dm.ts, answer_dm_outcome(request, dm.user_id))
