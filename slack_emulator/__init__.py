"""A Slack Web API emulator on loopback: the sandbox's workspace and the test-suite's fake Slack.

Point an ordinary `slack_sdk.WebClient(token=emulator.bot_token, base_url=emulator.api_url)` at
it. It answers the methods in `methods.HANDLERS` with Slack's JSON shapes and error codes,
checks Block Kit and views against Slack's limits, rate-limits on request (HTTP 429 with
Retry-After), answers late on request (Slack across the internet), records every call, and
keeps the messages and views the bot produced.

It knows Slack, not the app it serves: nothing here imports the bot.

Pieces: `models` (records and errors), `validation` (what Slack rejects), `workspace` (state),
`views` (modals, Home tabs, triggers), `responses` (response_url and slash-command replies),
`files` (external file uploads), `oauth` (installs and tokens), `directory` (users.list,
users.conversations, usergroups.users.list), `methods` (one handler per Web API method), `http`
(the wire format), `socket_mode` (apps.connections.open and Slack's end of Socket Mode's
WebSockets), `emulator` (`SlackEmulator`, which holds them together) and `switchboard` (several
workspaces behind one URL, as Slack's).
"""

from slack_emulator.emulator import SlackEmulator
from slack_emulator.files import UploadedFile
from slack_emulator.models import (
    Call,
    Message,
    MessageSource,
    SlackChannel,
    SlackEmulatorRejected,
    SlackUser,
    SlackUserGroup,
)
from slack_emulator.responses import RESPONSE_URL_TTL_SECONDS, RESPONSE_URL_USES
from slack_emulator.switchboard import Switchboard
from slack_emulator.views import TRIGGER_TTL_SECONDS

__all__ = [
    "RESPONSE_URL_TTL_SECONDS",
    "RESPONSE_URL_USES",
    "TRIGGER_TTL_SECONDS",
    "Call",
    "Message",
    "MessageSource",
    "SlackChannel",
    "SlackEmulator",
    "SlackEmulatorRejected",
    "SlackUser",
    "SlackUserGroup",
    "Switchboard",
    "UploadedFile",
]
