"""The buttons of a nudge DM: Say thanks, Offer help, Not now, Stop these nudges (and, once
stopped, Turn nudges back on). Each button's value is the nudge's key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import FORM_DID_NOT_OPEN, click_of, open_form, update
from bot.nudges.blocks import nudge_set_aside, nudges_resumed, nudges_stopped
from bot.nudges.offer_blocks import OfferContext, offer_modal
from bot.nudges.responses import (
    Nudge,
    nudge_for,
    offer_target,
    resume_nudges,
    stop_nudges,
    thanks_target,
)
from bot.slack.messages import Message
from bot.thanks.modal import ThankedMessage, thanks_modal


def handle_nudge_say_thanks(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**Say thanks**: the thanks modal, with the person the nudge named already picked."""
    ack()
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            target = thanks_target(session, click.team_id, click.user_id, click.value)
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    about = ThankedMessage(
        channel_id=target.public_channel_id or "",
        message_ts=None,
        thread_ts=None,
        author_id=target.helper_id,
        link=None,
    )
    if not open_form(client, body["trigger_id"], thanks_modal(about)):
        respond(**private_note(FORM_DID_NOT_OPEN))


def handle_nudge_offer_help(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**Offer help**: a form asking what you could offer the person the nudge named."""
    ack()
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            offered_to = offer_target(session, click.team_id, click.user_id, click.value)
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    channel_id, ts = _nudge_dm(body)
    form = offer_modal(OfferContext(click.value, channel_id, ts), offered_to)
    if not open_form(client, body["trigger_id"], form):
        respond(**private_note(FORM_DID_NOT_OPEN))


def _redrawn_after(
    change: Callable[[Session, str, str, str], Nudge], message: Callable[[str], Message]
) -> Callable[..., None]:
    """A button that changes the person's nudges, then redraws the DM it is in."""

    def handle(
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
                nudge = change(session, click.team_id, click.user_id, click.value)
        except InputError as error:
            respond(**private_note(error.user_message))
            return
        update(client, *_nudge_dm(body), message(nudge.key))

    return handle


# **Not now**: the nudge steps back; nothing is recorded.
handle_nudge_not_now = _redrawn_after(nudge_for, nudge_set_aside)
# **Stop these nudges**: takes effect at once, and says how to undo it.
handle_nudge_stop = _redrawn_after(stop_nudges, nudges_stopped)
# **Turn nudges back on**, in the message that stopped them.
handle_nudge_resume = _redrawn_after(resume_nudges, nudges_resumed)


def _nudge_dm(body: dict[str, Any]) -> tuple[str, str]:
    """Where the clicked nudge DM is, to update it in place."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return str(channel), str(container.get("message_ts") or "")
