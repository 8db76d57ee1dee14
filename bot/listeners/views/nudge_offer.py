from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.actions._slack import send_dm, update
from bot.listeners.workspace import workspace_of
from bot.nudges.blocks import nudge_offered
from bot.nudges.offer_blocks import offer_errors, offer_message, offer_sent_view, read_offer_form
from bot.nudges.responses import send_offer

EXPIRED = "This form has expired. Close it and click Offer help in the nudge again."


def handle_nudge_offer(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    """A nudge's **Offer help** form sent: the offer goes to the person the nudge named."""
    form = read_offer_form(view)
    if form is None:
        ack(response_action="errors", errors=offer_errors(EXPIRED))
        return
    try:
        with deps.sessions.begin() as session:
            offer = send_offer(
                session,
                deps.clock(),
                workspace_of(context),
                body["user"]["id"],
                form.context.key,
                form.text,
            )
    except InputError as error:
        ack(response_action="errors", errors=offer_errors(error.user_message))
        return
    ack(response_action="update", view=offer_sent_view(offer.offered_to))
    send_dm(client, offer.offered_to, offer_message(offer.helper_id, offer.text))
    update(client, form.context.dm_channel_id, form.context.dm_ts, nudge_offered(offer.offered_to))
