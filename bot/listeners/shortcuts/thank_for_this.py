from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.actions._slack import FORM_DID_NOT_OPEN, open_form
from bot.listeners.workspace import workspace_of
from bot.slack.api import user_fetcher
from bot.thanks.message_author import message_author
from bot.thanks.modal import ThankedMessage, permalink, thanks_modal


def handle_thank_for_this(
    ack: Ack,
    shortcut: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: Deps,
) -> None:
    """The "Thank for this" message shortcut: a modal to thank the message's author."""
    ack()
    message = shortcut.get("message") or {}
    channel_id: str = shortcut["channel"]["id"]
    ts: str = message.get("ts") or shortcut["message_ts"]
    try:
        with deps.sessions.begin() as session:
            author = message_author(
                session,
                deps.clock(),
                workspace_of(context),
                shortcut["user"]["id"],
                _author_id(message),
                user_fetcher(client),
            )
    except InputError as error:
        respond(text=error.user_message, response_type="ephemeral")
        return
    thread_ts = message.get("thread_ts")
    thanked = ThankedMessage(
        channel_id=channel_id,
        message_ts=ts,
        thread_ts=thread_ts,
        author_id=author.user_id,
        link=permalink(shortcut["team"].get("domain") or "", channel_id, ts, thread_ts),
    )
    if not open_form(client, shortcut["trigger_id"], thanks_modal(thanked)):
        respond(text=FORM_DID_NOT_OPEN, response_type="ephemeral")


def _author_id(message: dict[str, Any]) -> str | None:
    """Who wrote the message, as a reaction's `item_user` names them: its `user`.

    An app posting for a person (with their token) sends `bot_id` beside that person's
    `user`, and a reaction credits them: so does the shortcut. An app's own message names its
    bot user, whom the members cache knows as a bot, or no user at all (`bot_message`).
    """
    user = message.get("user")
    if message.get("subtype") == "bot_message" or not (isinstance(user, str) and user):
        return None
    return user
