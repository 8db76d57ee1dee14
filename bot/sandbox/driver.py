"""Plays Slack's side of the conversation: builds real payloads, signs them, delivers them.

Slash commands go out form-encoded, events as Events API envelopes, interactivity as a form
field `payload=`, each built as Slack builds it (bot.sandbox.payloads) and signed as Slack
signs (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret). A transport
delivers them (bot.sandbox.transport): to the Bolt app in-process or over HTTP to a running
server. What the bot answers to a slash command is handed to the emulator, which posts it the
way Slack would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from bot.sandbox._block_elements import action_entry
from bot.sandbox.payloads import SlackPayloads
from bot.sandbox.transport import Delivery, Transport, sign
from slack_emulator import Message, SlackEmulator


class SlackDriver(SlackPayloads):
    """Sends what Slack would send when people in the emulated workspace do things."""

    def __init__(self, emulator: SlackEmulator, signing_secret: str, transport: Transport) -> None:
        super().__init__(emulator)
        self.signing_secret = signing_secret
        self.transport = transport

    # Slash commands

    def slash_command(
        self, user_id: str, command: str, text: str, channel_id: str
    ) -> tuple[Delivery, Message | None]:
        """Run a slash command; return the bot's answer and what Slack showed for it."""
        payload = self.command_payload(user_id, command, text, channel_id)
        delivery = self.send_form(payload)
        shown = None
        if delivery.status == 200:
            shown = self.emulator.deliver_command_response(channel_id, user_id, delivery.json())
        return delivery, shown

    # Events API

    def send_event(self, envelope: Mapping[str, Any], retry_num: int | None = None) -> Delivery:
        """Deliver an Events API envelope; a retry carries Slack's X-Slack-Retry-* headers."""
        body = json.dumps(envelope)
        headers = {"Content-Type": "application/json", **sign(self.signing_secret, body)}
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.transport.send(body, headers)

    def react(
        self, reactor_id: str, message: Message, emoji: str, *, added: bool = True
    ) -> Delivery:
        """Someone puts `emoji` on `message` (or takes it off): reaction_added or _removed."""
        event = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": reactor_id,
            "reaction": emoji,
            "item_user": message.user,
            "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            "event_ts": f"{time.time():.6f}",
        }
        return self.send_event(self.event_envelope(event))

    def open_home(self, user_id: str, tab: str = "home") -> Delivery:
        """Someone opens the app's Home (or Messages) tab: app_home_opened."""
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id}",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        return self.send_event(self.event_envelope(event))

    # Interactivity: each payload is built as Slack builds it, and send_interaction delivers
    # it signed, as the form field `payload=`.

    def send_interaction(self, payload: Mapping[str, Any]) -> Delivery:
        return self.send_form({"payload": json.dumps(payload)})

    def click(
        self,
        user_id: str,
        message: Message,
        action_id: str,
        *,
        value: str | None = None,
        selected: str | Sequence[str] | None = None,
        chosen: Mapping[str, Any] | None = None,
    ) -> Delivery:
        payload = self.block_action_payload(
            user_id, message, action_id, value=value, selected=selected, chosen=chosen
        )
        return self.send_interaction(payload)

    def click_in_view(
        self,
        user_id: str,
        view: Mapping[str, Any],
        action_id: str,
        *,
        value: str | None = None,
        chosen: Mapping[str, Any] | None = None,
        state: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Delivery:
        """A click on the button `action_id` in `view` (found in its blocks, with its value),
        or `chosen` in its element; `state`: the form's inputs as filled in so far."""
        action = action_entry(view.get("blocks") or [], action_id, value, None, chosen)
        return self.send_interaction(self.view_action_payload(user_id, view, action, state))

    def message_shortcut(self, user_id: str, callback_id: str, message: Message) -> Delivery:
        return self.send_interaction(self.message_shortcut_payload(user_id, callback_id, message))

    def submit_view(
        self, user_id: str, view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> Delivery:
        return self.send_interaction(self.view_submission_payload(user_id, view, values))

    # Signing

    def send_form(self, fields: Mapping[str, str], timestamp: int | None = None) -> Delivery:
        body = urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(self.signing_secret, body, timestamp),
        }
        return self.transport.send(body, headers)
