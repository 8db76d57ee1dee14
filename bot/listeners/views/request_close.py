from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.asks.blocks import responder_note
from bot.asks.closing import fulfil_request
from bot.asks.form import HELPERS, closed_view, note_view, read_close_form
from bot.deps import Deps
from bot.errors import InputError, RequestClosedError
from bot.listeners.actions._slack import send_dm
from bot.listeners.actions.closing import show_closed
from bot.listeners.workspace import workspace_of
from bot.slack.api import user_fetcher

EXPIRED = "This form no longer works. Close it and click *Done* in your message again."


def handle_request_close(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    """The Done (Confirm) form sent: credit everyone ticked, close the request, tell them all.

    The one transaction credits each person ticked and closes the request; a second delivery
    of the same form, or another form for the same request, finds it closed and says so.
    """
    form = read_close_form(view)
    if form is None:
        ack(response_action="errors", errors={HELPERS: EXPIRED})
        return
    try:
        with deps.sessions.begin() as session:
            closed = fulfil_request(
                session,
                deps.clock(),
                workspace_of(context),
                form.public_id,
                body["user"]["id"],
                form.picked,
                form.size,
                user_fetcher(client),
            )
    except RequestClosedError as error:  # closed already: nothing left for the form to do
        ack(response_action="update", view=note_view(error.user_message))
        return
    except InputError as error:
        ack(response_action="errors", errors={HELPERS: error.user_message})
        return
    ack(response_action="update", view=closed_view(closed))
    show_closed(client, closed)
    request = closed.request
    for user_id in (*request.helper_ids, *closed.not_picked):
        send_dm(client, user_id, responder_note(request, user_id))
