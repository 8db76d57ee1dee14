"""The emulated workspace's records, and the JSON shapes Slack gives them on the wire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]

MessageSource = Literal["api", "response_url", "command_response", "user"]


class SlackEmulatorRejected(Exception):
    """Slack refused a request; `error` is the code Slack puts in `{"ok": false, "error": ...}`.

    `details` are the human-readable reasons Slack adds for Block Kit and view errors (shown to
    callers in `errors` and `response_metadata.messages`).
    """

    def __init__(self, error: str, details: Sequence[str] = (), *, http_status: int = 200) -> None:
        super().__init__(error if not details else f"{error}: {'; '.join(details)}")
        self.error = error
        self.details = list(details)
        self.http_status = http_status

    def to_json(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error}
        if self.details:
            body["errors"] = list(self.details)
            body["response_metadata"] = {"messages": [f"[ERROR] {d}" for d in self.details]}
        return body


@dataclass(frozen=True)
class Identity:
    """Who the emulated workspace and its one installed app are."""

    team_id: str
    team_name: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    bot_token: str


@dataclass
class SlackUser:
    id: str
    team_id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    tz: str = "Europe/London"
    tz_offset: int = 0
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False

    @property
    def shown_name(self) -> str:
        """The name Slack clients show: the display name when the person chose one."""
        return self.display_name or self.name

    def to_slack(self, *, bot_id: str | None = None) -> JsonDict:
        profile: JsonDict = {
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "team": self.team_id,
        }
        if bot_id is not None:
            profile["bot_id"] = bot_id
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": profile,
        }


@dataclass
class SlackUserGroup:
    """A user group (`@platform-team`): its members, as usergroups.users.list lists them."""

    id: str
    handle: str
    users: list[str] = field(default_factory=list)
    is_disabled: bool = False  # listed only with include_disabled, as Slack does


@dataclass
class SlackChannel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)
    is_mpim: bool = False
    is_archived: bool = False  # read only: nothing can be posted there
    is_general: bool = False  # the workspace's default channel: it cannot be archived

    def to_slack(self) -> JsonDict:
        body: JsonDict = {
            "id": self.id,
            "is_channel": not (self.is_private or self.is_im or self.is_mpim),
            "is_group": self.is_private and not self.is_mpim,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
        }
        if not self.is_im:
            body["name"] = self.name
        return body


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral_for: str | None = None
    source: MessageSource = "api"
    edited: bool = False
    attachments: list[JsonDict] = field(default_factory=list)
    # Emoji name -> who put it on the message, in order.
    reactions: dict[str, list[str]] = field(default_factory=dict)
    # Set only on the copy subscribers receive when a response_url deletes a message.
    deleted: bool = False

    def to_slack(self, *, team_id: str, bot_id: str | None, app_id: str | None) -> JsonDict:
        body: JsonDict = {"type": "message", "text": self.text, "user": self.user, "ts": self.ts}
        body["team"] = team_id
        if bot_id is not None:
            body["bot_id"] = bot_id
            body["app_id"] = app_id
        if self.blocks:
            body["blocks"] = self.blocks
        if self.attachments:
            body["attachments"] = self.attachments
        if self.thread_ts is not None:
            body["thread_ts"] = self.thread_ts
        if self.reactions:
            body["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in self.reactions.items()
            ]
        return body


@dataclass(frozen=True)
class Call:
    """One request the emulator answered, as the test-suite inspects it."""

    method: str
    args: JsonDict
    ok: bool
    error: str | None
    status: int
    at: float
