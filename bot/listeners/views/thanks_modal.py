from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.actions._slack import send_dm
from bot.listeners.celebrations import celebrate_publicly
from bot.listeners.workspace import workspace_of
from bot.slack.api import user_fetcher
from bot.thanks.blocks import thanks_message, thanks_note
from bot.thanks.celebrations import Celebrated
from bot.thanks.form import (
    ThanksForm,
    form_errors,
    private_thanks_message,
    read_thanks_form,
    thanks_sent_view,
)
from bot.thanks.give import ThanksOutcome, ThanksRequest, give_thanks, thanks_key
from bot.thanks.modal import HELPER, modal_title
from bot.thanks.parsing import ParsedThanks

EXPIRED = "This form has expired. Close it and use the shortcut on the message again."


def handle_thanks_modal(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    """The thanks modal submitted: record it like /thanks, then say it.

    Everyone picked thanked, public thanks close the form; otherwise it turns into a view that
    says who was not thanked and why. Nobody thanked keeps the form open, the reason under the
    field it is about."""
    try:
        form = read_thanks_form(view)
        if form is None:
            ack(response_action="errors", errors={HELPER: EXPIRED})
            return
        now, team_id = deps.clock(), workspace_of(context)
        request = ThanksRequest(
            team_id=team_id,
            thanker_id=body["user"]["id"],
            channel_id=form.message.channel_id,
            parsed=ParsedThanks(user_ids=form.helper_ids, reason=form.reason, values=form.values),
            # One modal records once, however many times its submission arrives.
            request_key=f"view:{view['id']}",
            message_ts=form.message.message_ts,
            quotable=form.public
            and deps.channel_kinds.whether_public(client, team_id, form.message.channel_id, now),
        )
        with deps.sessions.begin() as session:
            outcome = give_thanks(session, now, request, user_fetcher(client))
    except InputError as error:
        ack(response_action="errors", errors=form_errors(error))
        return
    title = modal_title(form.message)
    note = thanks_note(outcome.skipped, ())
    if outcome.already_recorded:
        ack()
    elif form.public:
        if note is None:
            ack()
        else:
            sent = thanks_sent_view(outcome.helper_ids, title, public=True, note=note)
            ack(response_action="update", view=sent)
        _celebrate(client, deps, request, form, outcome)
    else:
        sent = thanks_sent_view(outcome.helper_ids, title, note=note)
        ack(response_action="update", view=sent)
        _tell_privately(client, form, outcome)


def _celebrate(
    client: WebClient, deps: Deps, request: ThanksRequest, form: ThanksForm, outcome: ThanksOutcome
) -> None:
    message = thanks_message(outcome.helper_ids, outcome.thanker_id, outcome.reason, outcome.values)
    celebrated = Celebrated(
        thanks_key(request.team_id, request.request_key), outcome.thanker_id, outcome.helper_ids
    )
    thread_ts = form.message.thread_ts or form.message.message_ts
    # Where the bot may not post (a private channel, a DM), the thanks go to each person.
    channel_id = form.message.channel_id
    if not celebrate_publicly(
        client, deps, request.team_id, channel_id, message, celebrated, thread_ts=thread_ts
    ):
        _tell_privately(client, form, outcome)


def _tell_privately(client: WebClient, form: ThanksForm, outcome: ThanksOutcome) -> None:
    for helper_id in outcome.helper_ids:
        note = private_thanks_message(
            helper_id,
            outcome.thanker_id,
            outcome.reason,
            outcome.values,
            form.message.link,
            theirs=helper_id == form.message.author_id,
        )
        send_dm(client, helper_id, note)
