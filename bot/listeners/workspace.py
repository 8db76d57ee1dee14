"""Which workspace a request belongs to: the installation Slack delivered it to.

Bolt's context reads it from where Slack puts it for each kind of request: `authorizations[0]`
for an Events API envelope, `view.app_installed_team_id` for a modal opened from a shared
channel, `team` for a click or a command. Never the envelope's `team_id`: in a channel shared
with another organisation (Slack Connect) that is the channel's host, which may never have
installed Goodwill.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.logs import serving_workspace

log = logging.getLogger(__name__)

NOT_INSTALLED_HERE = (
    "Goodwill isn't installed in this workspace, so nothing was recorded. Ask whoever manages "
    "Slack apps here to install it."
)


def workspace_of(context: BoltContext) -> str:
    """The installing workspace's team ID; `installed_workspace_only` has let through only
    requests that have one."""
    team_id = context.team_id
    if not team_id:
        raise LookupError("a request with no workspace reached a listener")
    return team_id


def installed_workspace_only(
    context: BoltContext, body: dict[str, Any], next: Callable[[], Any]
) -> Any:
    """Bolt middleware: a request goes on to the listeners only when it names a workspace,
    and the one Goodwill was authorized for (with one bot token, the token's workspace).
    Anything else (an org-wide Enterprise Grid install, which the manifest does not allow,
    or a workspace the token is not for) is answered without a word written."""
    team_id = context.team_id
    # Bolt runs the listener after every middleware has returned, in this thread: the
    # workspace stays set for its log lines, until the next request's.
    serving_workspace.set(team_id)
    authorized = context.authorize_result
    installed = authorized.team_id if authorized is not None else None
    if team_id and (not installed or installed == team_id):
        return next()
    if not team_id and not context.enterprise_id:
        # Every request Slack sends names a workspace or an organisation: this one is not
        # in Slack's shape.
        return BoltResponse(status=400, body="")
    log.info(
        "a %s request for workspace %s (enterprise %s) where Goodwill is installed in %s: "
        "nothing done",
        body.get("type") or body.get("command"),
        team_id,
        context.enterprise_id,
        installed,
    )
    # Shown privately to whoever typed a command; Slack reads nothing from it otherwise.
    return BoltResponse(status=200, body=NOT_INSTALLED_HERE if "command" in body else "")


def from_another_organisation(body: dict[str, Any], event: dict[str, Any], team_id: str) -> bool:
    """Whether the person an event is about is a guest from another organisation, in a
    channel shared with it (Slack Connect): the event names their own workspace (`user_team`,
    or `team` on membership events). Channels shared inside one Enterprise Grid org are not
    `is_ext_shared_channel`, and their people may belong to several of its workspaces."""
    if body.get("is_ext_shared_channel") is not True:
        return False
    their_team = event.get("user_team") or event.get("team")
    return isinstance(their_team, str) and bool(their_team) and their_team != team_id
