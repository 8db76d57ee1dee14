"""`/favor busy`, `/favor available` and `/favor note`: a member's capacity and private notes,
answered privately in the acknowledgement, in one transaction."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.busy.blocks import available_again, busy_set
from bot.busy.parsing import FavorAvailable, FavorBusy
from bot.busy.rules import set_available, set_busy
from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.workspace import workspace_of
from bot.notes.blocks import note_cleared, note_kept, note_shown
from bot.notes.parsing import FavorNote
from bot.notes.rules import clear_note, note_about, set_note
from bot.slack.api import user_fetcher
from bot.slack.messages import Message, ephemeral

BoundaryCommand = FavorBusy | FavorAvailable | FavorNote


def answer_boundary(
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
    parsed: BoundaryCommand,
) -> Message:
    team_id, user_id, now = workspace_of(context), command["user_id"], deps.clock()
    fetch_user = user_fetcher(client)
    try:
        with deps.sessions.begin() as session:
            if isinstance(parsed, FavorAvailable):
                return available_again(set_available(session, now, team_id, user_id))
            if isinstance(parsed, FavorBusy):
                busy = set_busy(
                    session, now, team_id, user_id, parsed.until, parsed.instead_id, fetch_user
                )
                return busy_set(busy)
            subject_id = parsed.subject_id
            if parsed.clear:
                return note_cleared(subject_id, clear_note(session, team_id, user_id, subject_id))
            if parsed.text is None:
                return note_shown(subject_id, note_about(session, team_id, user_id, subject_id))
            note = set_note(session, now, team_id, user_id, subject_id, parsed.text, fetch_user)
            return note_kept(note, parsed.cut)
    except InputError as error:
        return ephemeral(error.user_message)
