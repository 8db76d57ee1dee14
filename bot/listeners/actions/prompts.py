"""Clicks in the weekly "Who helped you this week?" DM: the people picker, Stop, Turn back on."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import private_note
from bot.listeners.actions._slack import FORM_DID_NOT_OPEN, click_of, open_form, update
from bot.prompts.answers import review_picks
from bot.prompts.blocks import prompt_recipient, prompts_resumed, prompts_stopped
from bot.prompts.modal import PromptRef, prompt_modal, read_prompt_ref
from bot.prompts.plan import set_prompts
from bot.slack.api import user_fetcher

NOT_YOURS = (
    "This prompt was sent to someone else, so it can't be answered or changed from here. "
    "To thank someone yourself, use `/thanks @someone`."
)


def _is_recipient(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> bool:
    """Only the person a prompt was sent to may use it; anyone else is told so, privately."""
    if prompt_recipient(action.get("block_id")) == (body.get("user") or {}).get("id"):
        return True
    respond(**private_note(NOT_YOURS))
    return False


def handle_prompt_pick(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """People picked: in the DM, a form opens for them; in the form, it follows the picks."""
    ack()
    picked = [u for u in action.get("selected_users") or [] if isinstance(u, str)]
    click = click_of(body, action)
    form = body.get("view")
    if form is not None:
        prompt = read_prompt_ref(form)
        if prompt is None or prompt.user_id != click.user_id:
            return  # not a form of ours: leave it as it is
    elif not picked or not _is_recipient(body, action, respond):
        return  # a selection cleared in the DM asks nothing
    else:
        container = body.get("container") or {}
        prompt = PromptRef(
            click.user_id, str(container.get("channel_id")), str(container.get("message_ts"))
        )
    with deps.sessions.begin() as session:
        review = review_picks(
            session, deps.clock(), click.team_id, click.user_id, picked, user_fetcher(client)
        )
    if form is not None:
        # No hash: when picks come quickly, the last one wins.
        client.views_update(view_id=form["id"], view=prompt_modal(review, prompt))
    elif not open_form(client, body["trigger_id"], prompt_modal(review, prompt)):
        respond(**private_note(FORM_DID_NOT_OPEN))


def handle_prompt_stop(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**Stop these prompts**: off at once, and the DM offers to turn them back on."""
    _switch(ack, body, action, client, respond, deps, enabled=False)


def handle_prompt_resume(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
) -> None:
    """**Turn prompts back on**: from the next week's prompt hour."""
    _switch(ack, body, action, client, respond, deps, enabled=True)


def _switch(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    *,
    enabled: bool,
) -> None:
    ack()
    if not _is_recipient(body, action, respond):
        return
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            set_prompts(session, click.team_id, click.user_id, enabled=enabled)
    except InputError as error:
        respond(**private_note(error.user_message))
        return
    container = body.get("container") or {}
    message = prompts_resumed(click.user_id) if enabled else prompts_stopped(click.user_id)
    update(client, str(container.get("channel_id")), container.get("message_ts"), message)
