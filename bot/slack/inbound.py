"""What every request from Slack goes through before a listener reads it (a Bolt global
middleware, in HTTP and Socket Mode alike).

- Control characters are taken out of every text. Nobody types them: they arrive pasted or
  forged, show as nothing, and PostgreSQL refuses a NUL in any text column, which failed the
  whole request. Cleaned rather than refused, because a person told "your reason holds a
  character you cannot see" has no way to find it; tabs and line breaks stay.
- The IDs Bolt read from the request (workspace, person, channel) must look like Slack's.
  Anything else is not from Slack as Slack sends it, and is answered as unreadable before any
  of it reaches the database, where a 10,000-character "user ID" would fail the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest

from bot.errors import MalformedRequestError

# C0 controls but tab and line breaks, DEL, C1 controls, and halves of surrogate pairs (JSON's
# "\ud800" decodes to one, which no database can store as UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")
_CONTEXT_IDS = (
    "team_id",
    "enterprise_id",
    "user_id",
    "channel_id",
    "actor_team_id",
    "actor_enterprise_id",
    "actor_user_id",
)


def clean_request(req: BoltRequest, context: BoltContext, next: Callable[[], Any]) -> Any:
    """Bolt global middleware: the checks above, then the listeners."""
    for key in _CONTEXT_IDS:
        value = context.get(key)
        if value is not None and not (isinstance(value, str) and _SLACK_ID.fullmatch(value)):
            raise MalformedRequestError()
    req.body = clean_text(req.body)
    return next()


def clean_text(value: Any) -> Any:
    """`value` with control characters taken out of every string in it, at any depth; dicts
    and lists are cleaned in place, so every view of the request Bolt hands out sees it."""
    if isinstance(value, str):
        return _CONTROL.sub("", value) if _CONTROL.search(value) else value
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = clean_text(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = clean_text(item)
    return value
