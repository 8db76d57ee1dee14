"""What Slack sends an app when people do things, built from the emulated workspace.

A slash command's form fields carry `response_url` and `trigger_id`; events come as Events API
envelopes with `event_id`; interactivity as block_actions, message_action and view_submission
payloads, with the person, team and channel as Slack describes them. The driver
(bot.sandbox.driver) signs them and delivers them to the app.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from bot.sandbox._block_elements import action_entry
from bot.slack.ids import MEMBER_JOINED_CHANNEL, MEMBER_LEFT_CHANNEL
from slack_emulator import Message, SlackEmulator


class SlackPayloads:
    """Builds what Slack would send when people in `emulator`'s workspace do things."""

    def __init__(self, emulator: SlackEmulator) -> None:
        self.emulator = emulator
        self._event_numbers = itertools.count(1)

    # Slash commands

    def command_payload(
        self, user_id: str, command: str, text: str, channel_id: str
    ) -> dict[str, str]:
        user = self.emulator.users[user_id]
        channel = self.emulator.channels.get(channel_id)
        return {
            "token": "deprecated-verification-token",
            "team_id": self.emulator.team_id,
            "team_domain": self.emulator.team_domain,
            "channel_id": channel_id,
            "channel_name": channel.name if channel else "directmessage",
            "user_id": user_id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": "A0GOODWILL",
            "is_enterprise_install": "false",
            "response_url": self.emulator.new_response_url(channel_id, user_id),
            "trigger_id": self.emulator.new_trigger_id(user_id),
        }

    # Events API

    def event_envelope(
        self, event: Mapping[str, Any], event_id: str | None = None
    ) -> dict[str, Any]:
        number = next(self._event_numbers)
        return {
            "token": "deprecated-verification-token",
            "team_id": self.emulator.team_id,
            "api_app_id": "A0GOODWILL",
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{number:08d}{secrets.token_hex(3).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.emulator.team_id,
                    "user_id": self.emulator.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }

    def membership_envelope(self, user_id: str, channel_id: str, *, joined: bool) -> dict[str, Any]:
        """Someone joined or left a channel: member_joined_channel or member_left_channel, as
        Slack sends it to an app in that channel."""
        channel = self.emulator.channels.get(channel_id)
        event = {
            "type": MEMBER_JOINED_CHANNEL if joined else MEMBER_LEFT_CHANNEL,
            "user": user_id,
            "channel": channel_id,
            "channel_type": "G" if channel is not None and channel.is_private else "C",
            "team": self.emulator.team_id,
        }
        return self.event_envelope(event)

    def archival_envelope(
        self, channel_id: str, change: str, user_id: str | None = None
    ) -> dict[str, Any]:
        """A channel archived, unarchived or deleted (`change`), as Slack sends it: for a
        private channel, group_archive, group_unarchive or group_deleted."""
        if change not in ("archive", "unarchive", "deleted"):
            raise ValueError(f"no such change to a channel: {change!r}")
        channel = self.emulator.channels.get(channel_id)
        private = channel is not None and channel.is_private
        event: dict[str, Any] = {
            "type": f"{'group' if private else 'channel'}_{change}",
            "channel": channel_id,
            "event_ts": f"{time.time():.6f}",
        }
        if change != "deleted" and user_id is not None:
            # Who did it: the public channel's events say `user`, group_unarchive `actor_id`.
            event["actor_id" if private and change == "unarchive" else "user"] = user_id
        return self.event_envelope(event)

    # Interactivity

    def _who(self, user_id: str) -> dict[str, Any]:
        user = self.emulator.users[user_id]
        return {"id": user_id, "username": user.name, "name": user.name, "team_id": user.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.emulator.team_id, "domain": self.emulator.team_domain}

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.emulator.channels.get(channel_id)
        return {"id": channel_id, "name": channel.name if channel else "directmessage"}

    def _slack_message(self, message: Message) -> dict[str, Any]:
        from_bot = message.user == self.emulator.bot_user_id
        return message.to_slack(
            team_id=self.emulator.team_id,
            bot_id=self.emulator.bot_id if from_bot else None,
            app_id="A0GOODWILL" if from_bot else None,
        )

    def block_action_payload(
        self,
        user_id: str,
        message: Message,
        action_id: str,
        *,
        value: str | None = None,
        selected: str | Sequence[str] | None = None,
        chosen: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A click on a button `action_id` in `message` (found in its blocks, with its value).

        For a users, conversations or channels select, `selected` is what the person chose
        (a list of IDs, one ID for a single select), sent in Slack's `selected_*` field.
        """
        action = action_entry(message.blocks, action_id, value, selected, chosen)
        ephemeral = message.ephemeral_for is not None
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._who(user_id),
            "api_app_id": "A0GOODWILL",
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": self._channel(message.channel),
            "state": {"values": {}},
            "response_url": self.emulator.new_response_url(
                message.channel, user_id, message_ts=message.ts
            ),
            "actions": [action],
        }
        if not ephemeral:  # Slack does not send the message itself for ephemeral ones
            payload["message"] = self._slack_message(message)
        return payload

    def view_action_payload(
        self,
        user_id: str,
        view: Mapping[str, Any],
        action: Mapping[str, Any],
        state: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """`action` in a modal or the Home tab `view`, as Slack sends it: no channel, no
        response_url, the view itself in the payload."""
        return {
            "type": "block_actions",
            "user": self._who(user_id),
            "api_app_id": "A0GOODWILL",
            "token": "deprecated-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {**view, "state": {"values": {k: dict(v) for k, v in (state or {}).items()}}},
            "state": {"values": {}},
            "actions": [dict(action)],
        }

    def message_shortcut_payload(
        self, user_id: str, callback_id: str, message: Message
    ) -> dict[str, Any]:
        return {
            "type": "message_action",
            "token": "deprecated-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": self._team(),
            "user": self._who(user_id),
            "channel": self._channel(message.channel),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "response_url": self.emulator.new_response_url(message.channel, user_id),
            "message_ts": message.ts,
            "message": self._slack_message(message),
        }

    def view_submission_payload(
        self, user_id: str, view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Submitting an open modal; `values` is Slack's state: {block_id: {action_id: {...}}}."""
        submitted = {**view, "state": {"values": {k: dict(v) for k, v in values.items()}}}
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._who(user_id),
            "api_app_id": "A0GOODWILL",
            "token": "deprecated-verification-token",
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
