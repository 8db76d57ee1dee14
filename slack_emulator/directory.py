"""Who is in the emulated workspace and where: users.list and users.conversations, paged with
cursors like Slack's; who is in a user group (usergroups.users.list)."""

from __future__ import annotations

import base64
import binascii

from slack_emulator.backend import Backend
from slack_emulator.models import JsonDict, SlackChannel, SlackEmulatorRejected
from slack_emulator.validation import as_text, truthy

__all__ = ["usergroups_users_list", "users_conversations", "users_list"]

MAX_PAGE_SIZE = 1000
USERS_CONVERSATIONS_DEFAULT_LIMIT = 100
CONVERSATION_TYPES = ("public_channel", "private_channel", "mpim", "im")


def _cursor_for(item_id: str, kind: str = "user") -> str:
    # Slack's cursors are opaque; its own are base64 of "user:<id>" and the like, so these look
    # the same.
    return base64.b64encode(f"{kind}:{item_id}".encode()).decode()


def _id_from_cursor(cursor: str, kind: str = "user") -> str:
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise SlackEmulatorRejected("invalid_cursor") from None
    if not decoded.startswith(f"{kind}:"):
        raise SlackEmulatorRejected("invalid_cursor")
    return decoded.removeprefix(f"{kind}:")


def _page_start(args: JsonDict, kind: str, ids: list[str]) -> int:
    """Where the page the request's cursor points at starts (0 without a cursor)."""
    cursor = as_text(args.get("cursor"))
    if not cursor:
        return 0
    wanted = _id_from_cursor(cursor, kind)
    if wanted not in ids:
        raise SlackEmulatorRejected("invalid_cursor")
    return ids.index(wanted)


def _limit(args: JsonDict) -> int:
    """The request's `limit`, 0 when it gives none (or none above 0)."""
    try:
        return max(0, int(as_text(args.get("limit")) or 0))
    except ValueError:
        raise SlackEmulatorRejected("invalid_limit") from None


def users_list(b: Backend, args: JsonDict) -> JsonDict:
    limit = _limit(args)
    ident = b.workspace.identity
    with b.workspace.lock:
        # Like Slack, the app's own bot user is listed too.
        users = list(b.workspace.users.values())
    start = _page_start(args, "user", [u.id for u in users])
    # Slack sends everything when no limit is given, and at most 1000 a page otherwise.
    size = min(limit, MAX_PAGE_SIZE) if limit else len(users)
    page = users[start : start + size]
    rest = users[start + size :]
    members = [u.to_slack(bot_id=ident.bot_id if u.id == ident.bot_user_id else None) for u in page]
    return {
        "members": members,
        "cache_ts": int(b.workspace.clock()),
        "response_metadata": {"next_cursor": _cursor_for(rest[0].id) if rest else ""},
    }


def _conversation_type(channel: SlackChannel) -> str:
    if channel.is_im:
        return "im"
    if channel.is_mpim:
        return "mpim"
    return "private_channel" if channel.is_private else "public_channel"


def users_conversations(b: Backend, args: JsonDict) -> JsonDict:
    ws = b.workspace
    bot = ws.identity.bot_user_id
    user = ws.user(args.get("user") or bot)
    limit = _limit(args)
    named = {t.strip() for t in as_text(args.get("types")).split(",") if t.strip()}
    if not named <= set(CONVERSATION_TYPES):
        raise SlackEmulatorRejected("invalid_types")
    types = named or {"public_channel"}
    exclude_archived = truthy(args.get("exclude_archived"))
    with ws.lock:
        # Slack lists another person's non-public conversations only where the app is too.
        channels = [
            c
            for c in ws.channels.values()
            if (kind := _conversation_type(c)) in types
            and user.id in c.members
            and (kind == "public_channel" or bot in c.members)
            and not (exclude_archived and c.is_archived)
        ]
    start = _page_start(args, "channel", [c.id for c in channels])
    size = min(limit, MAX_PAGE_SIZE) if limit else USERS_CONVERSATIONS_DEFAULT_LIMIT
    page = channels[start : start + size]
    rest = channels[start + size :]
    return {
        "channels": [c.to_slack() for c in page],
        "response_metadata": {"next_cursor": _cursor_for(rest[0].id, "channel") if rest else ""},
    }


def usergroups_users_list(b: Backend, args: JsonDict) -> JsonDict:
    """The IDs of a user group's members. Slack answers `no_such_subteam` for a group it does
    not know, and for a disabled one unless `include_disabled` is set."""
    wanted = as_text(args.get("usergroup"))
    if not wanted:
        raise SlackEmulatorRejected("invalid_arguments", ["missing required field: usergroup"])
    with b.workspace.lock:
        group = b.workspace.user_groups.get(wanted)
        users = list(group.users) if group is not None else []
    if group is None or (group.is_disabled and not truthy(args.get("include_disabled"))):
        raise SlackEmulatorRejected("no_such_subteam")
    return {"users": users}
