"""Clicks on the App Home: a setting's Turn on/off, Withdraw beside an open ask or offer, I can
help (or I'd like this) beside someone else's, and the admins' Edit settings.

A Home has no response_url to answer a click privately, so a refused click shows on the Home
itself: it is published again with a note at the top saying what happened.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.asks.blocks import answer_dm_outcome, request_message
from bot.deps import Deps
from bot.errors import InputError
from bot.home.blocks import parse_toggle
from bot.home.contents import capacity_and_show, home_for, toggle_and_show, withdraw_and_show
from bot.listeners.actions._slack import BUTTON_GONE, click_of, open_form, update
from bot.listeners.actions.answers import tell_author
from bot.listeners.home_tab import publish_home
from bot.settings.blocks import settings_modal
from bot.settings.personal import workspace_settings_for
from bot.slack.api import member_channels, user_fetcher
from bot.slack.ids import HOME_BUSY

log = logging.getLogger(__name__)

COULD_NOT_OPEN = "I couldn't open the settings just now. Please click *Edit settings* again."


def on_home_tab(body: dict[str, Any]) -> bool:
    """A listener matcher: the click came from a Home tab (not a message)."""
    container = body.get("container") or {}
    view = body.get("view") or {}
    return container.get("type") == "view" and view.get("type") == "home"


def handle_setting_toggle(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """Turn on / Turn off beside a setting. The button says which state it sets, so a double
    click sets it twice rather than flipping it back."""
    ack()
    click = click_of(body, action)
    toggle = parse_toggle(click.value)
    if toggle is None:
        _show_notice(client, deps, click.team_id, click.user_id, BUTTON_GONE)
        return
    setting, on = toggle
    fetch_user = user_fetcher(client)
    channel_ids = member_channels(client, deps.sessions, click.team_id, click.user_id, deps.clock())
    try:
        with deps.sessions.begin() as session:
            home = toggle_and_show(
                session,
                deps.clock(),
                click.team_id,
                click.user_id,
                setting,
                on,
                fetch_user,
                channel_ids,
            )
    except InputError as error:
        notice = error.user_message
        _show_notice(client, deps, click.team_id, click.user_id, notice, channel_ids=channel_ids)
        return
    publish_home(client, home)


def handle_home_capacity(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """I'm at capacity this week / I'm available, on the Home. Each button says which state
    it sets, so a double click sets it twice rather than flipping it back."""
    ack()
    click = click_of(body, action)
    fetch_user = user_fetcher(client)
    channel_ids = member_channels(client, deps.sessions, click.team_id, click.user_id, deps.clock())
    busy = action.get("action_id") == HOME_BUSY
    try:
        with deps.sessions.begin() as session:
            home = capacity_and_show(
                session, deps.clock(), click.team_id, click.user_id, busy, fetch_user, channel_ids
            )
    except InputError as error:
        notice = error.user_message
        _show_notice(client, deps, click.team_id, click.user_id, notice, channel_ids=channel_ids)
        return
    publish_home(client, home)


def handle_home_withdraw(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """Withdraw beside an open ask or offer on the Home: as in the channel, and the Home
    shows it gone."""
    ack()
    click = click_of(body, action)
    channel_ids = member_channels(client, deps.sessions, click.team_id, click.user_id, deps.clock())
    try:
        with deps.sessions.begin() as session:
            closed, home = withdraw_and_show(
                session,
                deps.clock(),
                click.team_id,
                click.user_id,
                click.value,
                user_fetcher(client),
                channel_ids,
            )
    except InputError as error:
        notice = error.user_message
        _show_notice(client, deps, click.team_id, click.user_id, notice, channel_ids=channel_ids)
        return
    publish_home(client, home)
    # The channel message shows it closed, and the author's DMs about answers lose their
    # buttons, as when Withdraw is clicked in the channel.
    request = closed.request
    update(client, request.channel_id, request.message_ts, request_message(request))
    for dm in closed.dms:
        update(client, dm.channel_id, dm.ts, answer_dm_outcome(request, dm.user_id))


def handle_home_answer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """I can help (or I'd like this) beside someone's ask or offer on the Home: their author
    hears of it as from the channel, and the Home says so."""
    ack()
    click = click_of(body, action)
    try:
        words, told = tell_author(client, deps, click.team_id, click.value, click.user_id)
    except InputError as error:
        words, told = error.user_message, False
    _show_notice(client, deps, click.team_id, click.user_id, words, good_news=told)


def handle_open_workspace_settings(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """Edit settings, on an admin's Home: the settings modal with the workspace's part."""
    ack()
    click = click_of(body, action)
    try:
        with deps.sessions.begin() as session:
            settings = workspace_settings_for(
                session, deps.clock(), click.team_id, click.user_id, user_fetcher(client)
            )
    except InputError as error:
        _show_notice(client, deps, click.team_id, click.user_id, error.user_message)
        return
    if not open_form(client, body["trigger_id"], settings_modal(None, settings)):
        _show_notice(client, deps, click.team_id, click.user_id, COULD_NOT_OPEN)


def _show_notice(
    client: WebClient,
    deps: Deps,
    team_id: str,
    user_id: str,
    notice: str,
    *,
    good_news: bool = False,
    channel_ids: frozenset[str] | None = None,
) -> None:
    """The Home again, with `notice` at the top: the answer to a click that did nothing, or
    (`good_news`) what a click did. `channel_ids`: the member's channels, when the click
    already read them."""
    if channel_ids is None:
        channel_ids = member_channels(client, deps.sessions, team_id, user_id, deps.clock())
    try:
        with deps.sessions.begin() as session:
            home = home_for(
                session,
                deps.clock(),
                team_id,
                user_id,
                user_fetcher(client),
                channel_ids=channel_ids,
                notice=notice,
                good_news=good_news,
            )
    except InputError:
        log.info("no Home for %s in %s", user_id, team_id)
        return
    publish_home(client, home)
