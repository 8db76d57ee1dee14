"""Web API calls shared by listeners and start-up: the only place that asks Slack about users."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.member_channels import keep_reading, stored_channels
from bot.errors import LookupFailedError
from bot.members.cache import FetchUser, ensure_workspace, save_members

log = logging.getLogger(__name__)

USERS_PAGE_SIZE = 200

# What a Web API call raises when it did not happen: Slack refused it, or urllib failed before
# the request was out (URLError, raised while connecting or writing). Safe to answer "nothing
# was sent".
NOT_SENT = (SlackApiError, URLError)
# What a call raises when it may not have happened: NOT_SENT, or the connection broke later
# (reset, timed out, the answer lost on the way back; OSError covers URLError too). For calls
# made after the work is saved, which are logged rather than turned into an error.
MAY_NOT_HAVE_HAPPENED = (SlackApiError, OSError)


def user_fetcher(client: WebClient) -> FetchUser:
    """users.info for IDs the members cache has not seen; None when Slack knows no such user.

    Slack out of reach (after the client's one retry: users.info is a read), rate limited
    (a listener's client does not wait out a 429: bot.slack.app.answering_client) or failing raises
    LookupFailedError, which listeners answer like any input they cannot act on yet."""

    def fetch(user_id: str) -> Mapping[str, Any] | None:
        try:
            response = client.users_info(user=user_id)
        except SlackApiError as error:
            code = error.response.get("error")
            if code in {"user_not_found", "users_not_found"}:
                return None
            log.warning("users.info for %s failed: %s", user_id, code)
            raise LookupFailedError() from error
        except OSError as error:
            raise LookupFailedError() from error
        user: Mapping[str, Any] = response["user"]
        return user

    return fetch


def sync_workspace(
    client: WebClient, sessions: sessionmaker[Session], clock: Callable[[], datetime]
) -> str:
    """Record the token's workspace and cache all its members (users.list, paged).

    Each page is its own transaction, so a large workspace never holds one lock for long and a
    failure part-way keeps what was already synced. Returns the team ID.
    """
    team_id: str = client.auth_test()["team_id"]
    team_name: str = client.team_info()["team"]["name"]
    with sessions.begin() as session:
        ensure_workspace(session, team_id, team_name)
    cursor = None
    total = 0
    while True:
        page = client.users_list(limit=USERS_PAGE_SIZE, cursor=cursor)
        with sessions.begin() as session:
            total += save_members(session, team_id, page["members"], clock())
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    log.info("synced %d members of workspace %s (%s)", total, team_id, team_name)
    return team_id


# What Slack answers for a conversation the app may not look at: a private channel it is not
# in, a DM (im:read is not asked for), an install without channels:read. Not public, for sure.
HIDDEN_CONVERSATION = frozenset({"channel_not_found", "missing_scope", "not_in_channel"})


CHANNEL_KIND_FRESH_FOR = timedelta(hours=1)  # a channel made private shows within the hour
CHANNEL_KINDS_REMEMBERED = 5_000  # channels
# When Slack will not say (a 429 without Retry-After, an error of its own, out of reach), a
# workspace's channels are not asked about again for this long.
CHANNEL_KIND_QUIET_FOR = timedelta(seconds=30)
CHANNEL_KIND_QUIET_AT_MOST = timedelta(minutes=5)  # whatever Retry-After says


class _Remembered:
    """Slack's answers by (team, channel), with when each was given; the least recently used
    forgotten first beyond a limit. Shared by a process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple[str, str], tuple[datetime, bool]] = OrderedDict()

    def recall(self, key: tuple[str, str], now: datetime, fresh_for: timedelta) -> bool | None:
        """The answer if given within `fresh_for`, else None."""
        with self._lock:
            known = self._known.get(key)
            if known is not None:
                self._known.move_to_end(key)
        if known is None:
            return None
        given, answer = known
        return answer if timedelta(0) <= now - given < fresh_for else None

    def keep(self, key: tuple[str, str], now: datetime, answer: bool, limit: int) -> None:
        with self._lock:
            self._known[key] = (now, answer)
            self._known.move_to_end(key)
            while len(self._known) > limit:
                self._known.popitem(last=False)


class ChannelKinds:
    """Whether each channel is public (conversations.info), so that what was posted there
    may be quoted to others, as Slack said within the hour: asked for every /thanks, and
    Slack's answer is the same for every message there.

    A conversation the app may not look at (a private channel it is not in, a DM, an install
    without channels:read) is not public, and remembered so. When Slack will not say just
    now (a 429, an error of its own, out of reach), nothing is remembered about the channel
    (`whether_public` says None, and the scheduler asks again), and the workspace's channels are
    not asked about until Retry-After has passed (CHANNEL_KIND_QUIET_FOR without one), so
    that a busy channel does not ask again with every /thanks while Slack is refusing.
    """

    def __init__(self) -> None:
        self._known = _Remembered()
        self._quiet_until: dict[str, datetime] = {}  # team ID -> when to ask again

    def whether_public(
        self, client: WebClient, team_id: str, channel_id: str, now: datetime
    ) -> bool | None:
        """Whether the channel is public, or None when Slack will not say just now."""
        key = (team_id, channel_id)
        fresh = self._known.recall(key, now, CHANNEL_KIND_FRESH_FOR)
        if fresh is not None:
            return fresh
        quiet_until = self._quiet_until.get(team_id)
        if quiet_until is not None and now < quiet_until:
            return None
        try:
            channel = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as error:
            code = error.response.get("error")
            log.info("conversations.info for %s: %s", channel_id, code)
            if code not in HIDDEN_CONVERSATION:
                self._quiet_until[team_id] = now + _quiet_for(error.response.headers)
                return None
            public = False
        except OSError as error:
            log.info("conversations.info for %s: %r", channel_id, error)
            self._quiet_until[team_id] = now + CHANNEL_KIND_QUIET_FOR
            return None
        else:
            kinds = ("is_private", "is_im", "is_mpim", "is_group")
            public = bool(channel.get("is_channel")) and not any(channel.get(k) for k in kinds)
        self._known.keep(key, now, public, CHANNEL_KINDS_REMEMBERED)
        return public


def _quiet_for(headers: Mapping[str, Any]) -> timedelta:
    """How long Slack asked the app to wait (Retry-After, in seconds), within bounds."""
    asked = str(headers.get("Retry-After") or "")
    if not asked.isdigit() or int(asked) == 0:
        return CHANNEL_KIND_QUIET_FOR
    return min(timedelta(seconds=int(asked)), CHANNEL_KIND_QUIET_AT_MOST)


CHANNELS_PAGE_SIZE = 200
CHANNEL_PAGES = 5  # at most 1,000 channels: enough to find a few open asks
# users.conversations is a Tier 3 method (about 50 calls a minute per workspace), and the Home
# is shown again after every click on it: a member's channels are read at most this often.
CHANNELS_FRESH_FOR = timedelta(minutes=5)


def member_channels(
    client: WebClient,
    sessions: sessionmaker[Session],
    team_id: str,
    user_id: str,
    now: datetime,
) -> frozenset[str]:
    """The channels `user_id` is in that the app may see (users.conversations: public
    channels, and private ones the app is in too), for the asks and offers on their Home.

    Slack is asked at most every CHANNELS_FRESH_FOR, by whichever process shows the Home, or
    at the next Home after the member joined a channel; a channel left is off the list at
    once (bot.channels.member_channels, kept up to date by member_left_channel and
    member_joined_channel). When Slack will not say (an install from before the channels:read
    and groups:read scopes, a 429, which a listener's client does not wait out, Slack out of
    reach): the list as last known, however old, or else what the pages before the failure
    gave, perhaps none. The Home then shows fewer asks.
    """
    with sessions.begin() as session:
        stored = stored_channels(session, team_id, user_id)
    if stored is not None and stored.read_within(now, CHANNELS_FRESH_FOR):
        return stored.channel_ids
    channels, complete = _read_member_channels(client, user_id)
    if not complete:
        return stored.channel_ids if stored is not None else channels
    with sessions.begin() as session:
        return keep_reading(session, team_id, user_id, channels, read_at=now)


def _read_member_channels(client: WebClient, user_id: str) -> tuple[frozenset[str], bool]:
    """`user_id`'s channels, and whether Slack gave them all (every page, within
    CHANNEL_PAGES)."""
    found: set[str] = set()
    cursor = None
    try:
        for _ in range(CHANNEL_PAGES):
            page = client.users_conversations(
                user=user_id,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=CHANNELS_PAGE_SIZE,
                cursor=cursor,
            )
            found.update(channel["id"] for channel in page.get("channels") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as error:
        log.info("users.conversations for %s: %s", user_id, error.response.get("error"))
        return frozenset(found), False
    except OSError as error:
        log.info("users.conversations for %s: %r", user_id, error)
        return frozenset(found), False
    return frozenset(found), True
