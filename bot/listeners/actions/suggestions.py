"""*Let them know*, in the asker's list of likely helpers: a private note to each."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import click_of
from bot.suggestions.blocks import note_message, told_words
from bot.suggestions.delivery import send_now
from bot.suggestions.likely import let_them_know


def handle_let_know(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: Deps,
) -> None:
    ack()
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            told = let_them_know(
                session, deps.clock(), click.team_id, click.user_id, click.value, note_message
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    respond(**private_note(told_words(told)))
    if told.outbox_keys:
        context.listener_runner.listener_executor.submit(
            send_now, deps.sessions, client, deps.clock, told.outbox_keys
        )
