"""The "Who helped you this week?" form submitted: record it as the commands would, then say so."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import PromptAnswersError
from bot.listeners.actions._slack import send_dm, update
from bot.listeners.celebrations import celebrate_publicly
from bot.listeners.workspace import workspace_of
from bot.prompts.answers import PromptAnswers, Recorded, record_answers, thanks_request_key
from bot.prompts.blocks import celebration, prompt_answered, thanked_you
from bot.prompts.modal import (
    CATCHING_UP,
    NOBODY,
    PEOPLE,
    answer_errors,
    form_gone,
    read_prompt_form,
)
from bot.slack.api import user_fetcher
from bot.thanks.celebrations import PROMPT, Celebrated
from bot.thanks.give import thanks_key


def handle_prompt_modal(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    form = read_prompt_form(view)
    user_id = body["user"]["id"]
    if form is None or form.prompt.user_id != user_id:
        ack(response_action="update", view=form_gone())
        return
    if not form.caught_up or not form.answers:
        ack(response_action="errors", errors={PEOPLE: CATCHING_UP if form.answers else NOBODY})
        return
    request = PromptAnswers(
        team_id=workspace_of(context),
        user_id=user_id,
        channel_id=form.prompt.channel_id,
        view_id=view["id"],
        answers=form.answers,
    )
    try:
        with deps.sessions.begin() as session:
            recorded = record_answers(session, deps.clock(), request, user_fetcher(client))
    except PromptAnswersError as error:
        ack(response_action="errors", errors=answer_errors(error))
        return
    ack()
    if recorded.already_recorded:
        return  # a second submission of the same form: it was all said the first time
    celebrated_in = _celebrate(client, deps, request, recorded)
    update(
        client,
        form.prompt.channel_id,
        form.prompt.message_ts,
        prompt_answered(user_id, recorded.answers, celebrated_in),
    )


def _celebrate(
    client: WebClient, deps: Deps, request: PromptAnswers, recorded: Recorded
) -> str | None:
    """Post the public thanks; return the channel they were celebrated in, if any."""
    public, thanker_id = recorded.public, request.user_id
    if not public:
        return recorded.public_channel_id
    channel_id = recorded.public_channel_id
    celebrated = Celebrated(
        thanks_key(request.team_id, thanks_request_key(request.view_id)),
        thanker_id,
        tuple(answer.helper_id for answer in public),
        layout=PROMPT,
    )
    # Where the bot may not post, each person is told directly.
    message = celebration(thanker_id, public)
    if channel_id and celebrate_publicly(
        client, deps, request.team_id, channel_id, message, celebrated
    ):
        return channel_id
    for answer in public:
        send_dm(client, answer.helper_id, thanked_you(thanker_id, answer))
    return None
