from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.asks.blocks import request_message
from bot.asks.requests import ASK, OFFER, RequestInfo, new_public_id, open_request
from bot.balance.blocks import balance_message
from bot.balance.exchanges import balance_for
from bot.balance.history import recent_entries
from bot.balance.history_blocks import history_message
from bot.busy.blocks import asked_while_busy
from bot.busy.rules import busy_mentioned
from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import (
    did_you_mean,
    digest_announcement,
    digest_started,
    digest_status,
    digest_stopped,
    favor_already_logged,
    favor_help,
    favor_logged,
    favor_usage,
)
from bot.favours.log import FavorLogRequest, log_favor
from bot.favours.names import person_named
from bot.favours.parsing import (
    FavorAsk,
    FavorBalance,
    FavorDigest,
    FavorExport,
    FavorForgetMe,
    FavorHelp,
    FavorHistory,
    FavorInsights,
    FavorLog,
    FavorOffer,
    FavorSettings,
    FavorUndo,
    FavorUsage,
    parse_favor,
)
from bot.listeners.commands.boundaries import BoundaryCommand, answer_boundary
from bot.listeners.commands.export import start_export
from bot.listeners.commands.favor_settings import open_settings
from bot.listeners.commands.favor_undo import undo
from bot.listeners.commands.insights import start_insights
from bot.listeners.commands.skills import answer_skills
from bot.listeners.commands.suggestions import suggest_after_ack
from bot.listeners.workspace import workspace_of
from bot.members.cache import FetchUser, workspace_for
from bot.privacy.blocks import forget_me_prompt
from bot.settings.workspace import digest_schedule, require_admin, set_digest_channel
from bot.slack.api import NOT_SENT, user_fetcher
from bot.slack.messages import Message, ephemeral
from bot.suggestions.parsing import FavorSkills

log = logging.getLogger(__name__)

# What chat.postMessage answers in a private channel or a DM the bot is not part of.
CANNOT_POST = frozenset({"channel_not_found", "not_in_channel"})
CANNOT_POST_HELP = (
    "I can't post in this conversation. If it's a private channel, invite me first with "
    "`/invite @Goodwill`, then send it again; or post it in a public channel."
)
ARCHIVED_HELP = (
    "This channel is archived, so nothing can be posted in it and nothing was recorded. "
    "Send it again in another channel."
)
COULD_NOT_POST = (
    "I couldn't post that just now, so nothing was recorded. Please try again in a minute."
)


def handle_favor(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: Deps,
) -> None:
    parsed = parse_favor(command.get("text") or "")
    if isinstance(parsed, FavorHelp):
        ack(**favor_help())
        return
    if isinstance(parsed, FavorUsage):
        ack(**_usage(context, deps, parsed))
        return
    if isinstance(parsed, FavorAsk | FavorOffer):
        ack(**_post_request(command, client, context, deps, parsed))
        return
    if isinstance(parsed, FavorDigest):
        ack(**_digest(command, client, context, deps, parsed.action))
        return
    if isinstance(parsed, FavorSettings):
        ack(**open_settings(command, client, context, deps))
        return
    if isinstance(parsed, FavorExport):
        ack(**start_export(command, client, respond, context, deps))
        return
    if isinstance(parsed, FavorSkills):
        ack(**answer_skills(command, context, deps, parsed))
        return
    if isinstance(parsed, FavorInsights):
        ack(**start_insights(command, client, respond, context, deps))
        return
    if isinstance(parsed, FavorForgetMe):
        ack(**forget_me_prompt(command["user_id"]))
        return
    if isinstance(parsed, FavorUndo):
        ack(**undo(command, client, context, deps))
        return
    if isinstance(parsed, BoundaryCommand):
        ack(**answer_boundary(command, client, context, deps, parsed))
        return
    try:
        with deps.sessions.begin() as session:
            reply = _answer(
                session, deps.clock(), workspace_of(context), command, parsed, user_fetcher(client)
            )
    except InputError as error:
        reply = ephemeral(error.user_message)
    ack(**reply)


def _usage(context: BoltContext, deps: Deps, parsed: FavorUsage) -> Message:
    """What to type instead; with a person's name where a mention was meant, that person."""
    if parsed.name is not None:
        with deps.sessions() as session:
            user_id = person_named(session, workspace_of(context), parsed.name)
        if user_id is not None:
            return did_you_mean(user_id, parsed.instead)
    return favor_usage(parsed.problem)


def _answer(
    session: Session,
    now: datetime,
    team_id: str,
    command: dict[str, Any],
    parsed: FavorLog | FavorBalance | FavorHistory,
    fetch_user: FetchUser,
) -> Message:
    user_id = command["user_id"]
    if isinstance(parsed, FavorLog):
        request = FavorLogRequest(
            team_id=team_id,
            user_id=user_id,
            channel_id=command["channel_id"],
            parsed=parsed,
            request_key=command.get("trigger_id") or command.get("response_url") or "",
        )
        logged = log_favor(session, now, request, fetch_user)
        if logged.already_recorded:
            return favor_already_logged()
        return favor_logged(logged.credit_id, logged.helper_id, logged.description, parsed.weight)
    if isinstance(parsed, FavorBalance):
        summary = balance_for(session, now, team_id, user_id, parsed.counterpart_id, fetch_user)
        return balance_message(summary)
    return history_message(user_id, recent_entries(session, team_id, user_id))


def _digest(
    command: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps, action: str
) -> Message:
    """Show, set or stop the digest channel. Setting it posts an announcement there first:
    that both tells the channel and proves the bot may post in it."""
    team_id, user_id, channel_id = workspace_of(context), command["user_id"], command["channel_id"]
    fetch_user = user_fetcher(client)
    try:
        with deps.sessions.begin() as session:
            if action == "show":
                workspace = workspace_for(session, team_id)
                return digest_status(workspace.digest_channel_id, digest_schedule(workspace))
            if action == "off":
                set_digest_channel(session, deps.clock(), team_id, user_id, None, fetch_user)
                return digest_stopped()
            schedule = digest_schedule(
                require_admin(session, deps.clock(), team_id, user_id, fetch_user)
            )
    except InputError as error:
        return ephemeral(error.user_message)
    try:
        client.chat_postMessage(channel=channel_id, **digest_announcement(schedule))
    except NOT_SENT as error:
        if (instead := _why_not_there(error)) is not None:
            return ephemeral(instead)
        log.warning("could not announce the digest in %s", channel_id, exc_info=True)
        return ephemeral(COULD_NOT_POST)
    with deps.sessions.begin() as session:
        set_digest_channel(session, deps.clock(), team_id, user_id, channel_id, fetch_user)
    return digest_started(channel_id, schedule)


def _why_not_there(error: Exception) -> str | None:
    """What to do instead when Slack refused because of the channel (the bot is not in it,
    it is archived); None when the refusal was something else."""
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    if code == "is_archived":
        return ARCHIVED_HELP
    return CANNOT_POST_HELP if code in CANNOT_POST else None


def _post_request(
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
    parsed: FavorAsk | FavorOffer,
) -> Message:
    """Post the ask or offer first, its buttons carrying an id made here; then record it,
    with the message's ts, in one transaction."""
    draft = RequestInfo(
        public_id=new_public_id(),
        kind=ASK if isinstance(parsed, FavorAsk) else OFFER,
        author_id=command["user_id"],
        text=parsed.what,
        channel_id=command["channel_id"],
        message_ts=None,
        status="open",
        counterpart_id=None,
        size=parsed.size,
    )
    try:
        posted = client.chat_postMessage(channel=draft.channel_id, **request_message(draft))
    except NOT_SENT as error:
        if (instead := _why_not_there(error)) is not None:
            return ephemeral(instead)
        log.warning("could not post a %s in %s", draft.kind, draft.channel_id, exc_info=True)
        return ephemeral(COULD_NOT_POST)
    now = deps.clock()
    # None when Slack will not say just now: asked again later (bot.channels.kinds).
    team_id = workspace_of(context)
    in_public_channel = deps.channel_kinds.whether_public(client, team_id, posted["channel"], now)
    with deps.sessions.begin() as session:
        open_request(
            session,
            now,
            team_id=team_id,
            kind=draft.kind,
            author_id=draft.author_id,
            text=draft.text,
            channel_id=posted["channel"],
            public_id=draft.public_id,
            message_ts=posted["ts"],
            in_public_channel=in_public_channel,
            size=draft.size,
        )
        if draft.kind != ASK:
            return {}
        away = busy_mentioned(session, team_id, draft.text, draft.author_id, now)
    suggest_after_ack(context, client, deps, team_id, draft.public_id)
    return asked_while_busy(away)
