from __future__ import annotations

from typing import Any
from urllib.error import URLError

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import favor_shared, favor_shout_out, private_note
from bot.favours.log import share_favor, unshare_favor
from bot.listeners.actions._slack import BUTTON_GONE, click_of


def handle_thank_publicly(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
) -> None:
    """**Thank publicly** on a logged favour's private confirmation: one shout-out, ever."""
    ack()
    click = click_of(body, action)
    if not click.value.isdigit():
        respond(**private_note(BUTTON_GONE))
        return
    credit_id = int(click.value)
    # The confirmation, and so the shout-out, is in the conversation the favour was logged in.
    channel_id = (body.get("channel") or {}).get("id")
    now = deps.clock()
    quotable = (
        deps.channel_kinds.whether_public(client, click.team_id, channel_id, now)
        if isinstance(channel_id, str)
        else False
    )
    try:
        with deps.sessions.begin() as session:
            shared = share_favor(
                session, now, click.team_id, click.user_id, credit_id, quotable=quotable
            )
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    # Through the response_url, which reaches the conversation the favour was logged in,
    # even one the bot is not a member of.
    try:
        respond(**favor_shout_out(shared.helper_id, shared.helped_id, shared.description))
    except URLError:
        # It never left: nothing is shared, and the next click (Slack shows this one failed)
        # may share it. A post whose answer was lost stays shared, so it is never posted twice.
        with deps.sessions.begin() as session:
            unshare_favor(session, click.team_id, credit_id)
        raise
    respond(**favor_shared(credit_id, shared.helper_id, shared.description, shared.weight))
