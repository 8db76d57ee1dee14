"""The author's clicks: Done / Confirm (which open the form of bot.listeners.views.request_close),
Not needed / Decline (in their DM), Withdraw."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.asks.blocks import answer_dm_outcome, request_message, responder_note
from bot.asks.closing import Closed, Fulfilled, set_aside, to_close, withdraw_request
from bot.asks.form import close_view, is_public_id
from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import (
    BUTTON_GONE,
    FORM_DID_NOT_OPEN,
    answer_of,
    click_of,
    open_form,
    send_dm,
    update,
)
from bot.slack.api import user_fetcher


def handle_fulfil(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**Done** (ask) or **Confirm** (offer): the form to tick who helped, and how much."""
    ack()
    click = click_of(body, action)
    # An answer's DM names the request and its person; the reminder, the request alone.
    public_id = click.value.partition("|")[0]
    if not is_public_id(public_id) or (click.value != public_id and not answer_of(click.value)):
        respond(**private_note(BUTTON_GONE))
        return
    try:
        with deps.sessions.begin() as session:
            closing = to_close(
                session, deps.clock(), click.team_id, public_id, click.user_id, user_fetcher(client)
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    if not open_form(client, str(body.get("trigger_id") or ""), close_view(closing)):
        respond(**private_note(FORM_DID_NOT_OPEN))


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
    show_closed(client, closed)


def show_closed(client: WebClient, closed: Closed | Fulfilled) -> None:
    """The channel message shows the outcome, and the author's DMs lose their buttons."""
    request = closed.request
    update(client, request.channel_id, request.message_ts, request_message(request))
    for dm in closed.dms:
        update(client, dm.channel_id, dm.ts, answer_dm_outcome(request, dm.user_id))
