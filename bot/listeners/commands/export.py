"""`/favor export`: answered at once, then the CSV is built and sent to the admin's DM.

A big ledger takes longer than the 3 seconds Slack waits for an answer, so the export runs on
Bolt's listener executor (the thread pool Bolt runs lazy listeners on) after the command is
answered, and tells the admin privately, through the command's response_url, how it went.
"""

from __future__ import annotations

import io
import logging
import tempfile
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.workspace import workspace_of
from bot.privacy.blocks import export_comment, export_failed, export_preparing, export_sent
from bot.privacy.export import authorize_export, export_filename, write_ledger_csv
from bot.slack.api import user_fetcher
from bot.slack.messages import Message, ephemeral

log = logging.getLogger(__name__)

NO_DM = (
    "I couldn't open a direct message with you, so the export wasn't sent. Please try again "
    "in a minute."
)
NO_UPLOAD = "I couldn't send the export to our direct message. Please try again in a minute."
NOT_ALLOWED_TO_UPLOAD = (
    "Goodwill isn't allowed to send files yet. Ask whoever manages Slack apps here to "
    "reinstall it (it needs the files:write and im:write permissions), then try again."
)
BROKEN = "Something went wrong while preparing the export. Please try again in a minute."


def start_export(
    command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext, deps: Deps
) -> Message:
    """The command's answer: a refusal, or "preparing…" with the export under way."""
    team_id, user_id = workspace_of(context), command["user_id"]
    try:
        with deps.sessions.begin() as session:
            authorize_export(session, deps.clock(), team_id, user_id, user_fetcher(client))
    except InputError as error:
        return ephemeral(error.user_message)
    context.listener_runner.listener_executor.submit(
        deliver_export, client, respond, deps, team_id, user_id
    )
    return export_preparing()


def deliver_export(
    client: WebClient, respond: Respond, deps: Deps, team_id: str, user_id: str
) -> None:
    """Open the DM, stream the ledger into a temporary file, upload it; say how it went."""
    failure = NO_DM
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        failure = NO_UPLOAD
        now = deps.clock()
        with tempfile.TemporaryFile() as raw:
            # The byte order mark makes Excel read the file as UTF-8 (names, reasons).
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            with deps.sessions.begin() as session:
                count = write_ledger_csv(session, team_id, text)
            text.flush()
            text.detach()
            raw.seek(0)
            client.files_upload_v2(
                channel=dm,
                file=raw,
                filename=export_filename(team_id, now),
                title="Goodwill ledger",
                initial_comment=export_comment(count, now),
            )
    except SlackApiError as error:
        _say(respond, export_failed(_problem(error, failure)))
        return
    except Exception:
        log.exception("the ledger export of %s for %s failed", team_id, user_id)
        _say(respond, export_failed(BROKEN))
        return
    _say(respond, export_sent(count))


def _problem(error: SlackApiError, fallback: str) -> str:
    code = error.response.get("error")
    log.warning("the ledger export could not be delivered: %s", code)
    return NOT_ALLOWED_TO_UPLOAD if code == "missing_scope" else fallback


def _say(respond: Respond, message: Message) -> None:
    try:
        respond(**message)
    except Exception:
        # The response_url lasts 30 minutes; past that, there is no one left to tell.
        log.warning("could not report on a ledger export", exc_info=True)
