"""What Slack does with replies that do not go through the Web API.

A slash command's HTTP response body and posts to an interaction's response_url both become
messages; a response_url works five times within thirty minutes, as Slack documents.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_emulator.models import Message, MessageSource, SlackEmulatorRejected
from slack_emulator.validation import MessageContent, as_text, message_content, truthy
from slack_emulator.workspace import Workspace

RESPONSE_URL_TTL_SECONDS = 30 * 60
RESPONSE_URL_USES = 5
RESPONSE_URL_PREFIX = "/commands/"
_CONTENT_KEYS = ("text", "blocks", "attachments", "markdown_text")


@dataclass
class _ResponseUrl:
    channel_id: str
    user_id: str
    message_ts: str | None
    created_at: float
    uses: int = 0


class Responder:
    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace
        self._urls: dict[str, _ResponseUrl] = {}

    def new_path(self, channel_id: str, user_id: str, message_ts: str | None) -> str:
        """A response_url path; `message_ts` is the message an interaction came from, if any."""
        path = (
            f"{RESPONSE_URL_PREFIX}{self._ws.identity.team_id}/"
            f"{self._ws.next_number()}/{secrets.token_urlsafe(18)}"
        )
        with self._ws.lock:
            self._urls[path] = _ResponseUrl(channel_id, user_id, message_ts, self._ws.clock())
        return path

    def post(self, path: str, body: object) -> Message | None:
        """Apply one response_url post; errors carry the HTTP status Slack answers with."""
        with self._ws.lock:
            url = self._urls.get(path)
            if url is None:
                raise SlackEmulatorRejected("no_service", http_status=404)
            if self._ws.clock() > url.created_at + RESPONSE_URL_TTL_SECONDS:
                raise SlackEmulatorRejected("expired_url", http_status=404)
            if url.uses >= RESPONSE_URL_USES:
                raise SlackEmulatorRejected("used_url", http_status=404)
            if not isinstance(body, dict):
                raise SlackEmulatorRejected("invalid_payload", http_status=400)
            try:
                message = self._apply(url, body)
            except SlackEmulatorRejected as rejected:
                # Slack answers a bad response_url body with HTTP 400, not 200 and ok=false.
                error, details = rejected.error, rejected.details
                raise SlackEmulatorRejected(error, details, http_status=400) from None
            url.uses += 1
        return message

    def _apply(self, url: _ResponseUrl, body: Mapping[str, Any]) -> Message | None:
        original = None
        if url.message_ts is not None:
            original = self._ws.find_message(url.channel_id, url.message_ts)
        if truthy(body.get("delete_original")):
            if original is not None:
                self._ws.delete(original)
            return None
        content = message_content(body, validate=self._ws.validate)
        if truthy(body.get("replace_original")) and original is not None:
            # A replacement is a whole new message body, so parts left out are removed.
            whole = MessageContent(content.text, content.blocks or [], content.attachments or [])
            return self._ws.edit(original, whole)
        return self._new_message(url.channel_id, url.user_id, body, content, "response_url")

    def deliver_command_response(
        self, channel_id: str, user_id: str, body: Mapping[str, Any]
    ) -> Message | None:
        # An empty acknowledgement (Bolt's bare ack()) shows nothing, it only stops the timeout.
        if not any(body.get(key) for key in _CONTENT_KEYS):
            return None
        content = message_content(body, validate=self._ws.validate)
        return self._new_message(channel_id, user_id, body, content, "command_response")

    def _new_message(
        self,
        channel_id: str,
        user_id: str,
        body: Mapping[str, Any],
        content: MessageContent,
        source: MessageSource,
    ) -> Message:
        # Slack's default response_type is ephemeral: only the person who asked sees it.
        in_channel = body.get("response_type") == "in_channel"
        thread_ts = as_text(body.get("thread_ts")) or None
        message = Message(
            channel=channel_id,
            ts=self._ws.next_ts(),
            user=self._ws.identity.bot_user_id,
            text=content.text,
            blocks=content.blocks or [],
            thread_ts=thread_ts,
            ephemeral_for=None if in_channel else user_id,
            source=source,
            attachments=content.attachments or [],
        )
        return self._ws.post(message)

    def reset(self) -> None:
        with self._ws.lock:
            self._urls.clear()
