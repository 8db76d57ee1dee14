from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.errors import InputError
from bot.favours.blocks import digest_announcement
from bot.home.contents import save_and_show
from bot.listeners.home_tab import publish_home
from bot.listeners.workspace import workspace_of
from bot.settings.blocks import expired_view, form_errors, read_settings_form
from bot.settings.personal import Announce
from bot.slack.api import member_channels, user_fetcher

log = logging.getLogger(__name__)


def handle_settings_modal(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    """The settings modal submitted: save it all, or show each problem under its field and
    save nothing. The modal closes on success, and the Home shows the new settings."""
    form = read_settings_form(view)
    if form is None:
        ack(response_action="update", view=expired_view())
        return
    team_id, user_id = workspace_of(context), body["user"]["id"]
    channel_ids = member_channels(client, deps.sessions, team_id, user_id, deps.clock())
    try:
        with deps.sessions.begin() as session:
            home = save_and_show(
                session,
                deps.clock(),
                team_id,
                user_id,
                form,
                user_fetcher(client),
                _announcer(client),
                channel_ids,
            )
    except InputError as error:
        ack(response_action="errors", errors=form_errors(error, form))
        return
    ack()
    publish_home(client, home)


def _announcer(client: WebClient) -> Announce:
    """Posts the digest's announcement in a newly chosen channel: None once it is there, or
    Slack's error code when Goodwill may not post in it."""

    def announce(channel_id: str, schedule: str) -> str | None:
        try:
            client.chat_postMessage(channel=channel_id, **digest_announcement(schedule))
        except SlackApiError as error:
            code = str(error.response.get("error") or "unknown")
            log.info("cannot announce the digest in %s: %s", channel_id, code)
            return code
        except URLError as error:  # Slack out of reach before the request left
            log.info("cannot announce the digest in %s: %r", channel_id, error)
            return "unreachable"
        except OSError:  # the answer was lost: it may be posted, so the choice stands
            log.warning("the digest announcement in %s may be lost", channel_id, exc_info=True)
        return None

    return announce
