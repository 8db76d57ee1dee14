"""**Forget me** and **Cancel**, under the question `/favor forget-me` asks."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import BUTTON_GONE, click_of, update
from bot.privacy.blocks import (
    answer_withdrawn,
    forget_me_cancelled,
    forgotten_message,
    request_removed,
)
from bot.privacy.forget import MessageRef, forget_member
from bot.thanks.parsing import USER_MENTION

log = logging.getLogger(__name__)

SOMEONE_ELSES = "That button is for someone else, so nothing was changed."


def handle_forget_me(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: Deps,
) -> None:
    """Forget the person who clicked, if the button is theirs; say exactly what went."""
    ack()
    click = click_of(body, action)
    if USER_MENTION.fullmatch(f"<@{click.value}>") is None:
        respond(**private_note(BUTTON_GONE))
        return
    try:
        with deps.sessions.begin() as session:
            done = forget_member(
                session, deps.clock(), deps.pseudonym_key, click.team_id, click.user_id, click.value
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    respond(**forgotten_message(done))
    if done.messages:
        # Their asks and offers may be many, and chat.update is rate-limited: Slack's 3 seconds
        # for this click are not spent on them.
        context.listener_runner.listener_executor.submit(_clear_messages, client, done.messages)


def handle_forget_cancel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
) -> None:
    ack()
    click = click_of(body, action)
    if click.value != click.user_id:
        respond(**private_note(SOMEONE_ELSES))
        return
    respond(**forget_me_cancelled())


def _clear_messages(client: WebClient, messages: tuple[MessageRef, ...]) -> None:
    """Goodwill's messages that still carry a forgotten person's words lose them."""
    for ref in messages:
        try:
            replacement = answer_withdrawn() if ref.what == "answer" else request_removed(ref.what)
            update(client, ref.channel_id, ref.ts, replacement)
        except Exception:
            log.exception("could not clear message %s in %s", ref.ts, ref.channel_id)
