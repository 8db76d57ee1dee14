"""One clear answer when a listener fails, for the kind of request it failed on (Bolt's global
error handler, for listeners and middleware alike).

Listeners answer what they expect themselves. What escapes them lands here, after their
transaction rolled back, and is told apart in three:

- the database is down, restarting or out of reach: "nothing was recorded, try again in a
  moment" (bot.errors.DatabaseUnavailableError), logged in one line, as an outage repeats it
  for every request;
- a request in a shape Slack does not send (a field missing or of another type, a button's
  value tampered with): MalformedRequestError's words, as an InputError escaping a listener
  gets its own words;
- anything else: GoodwillError's "something went wrong", with the traceback in the log.

Where a person is waiting, the answer is theirs alone: an ephemeral reply to a slash command;
for a click or a shortcut, an ephemeral message through its response_url, or a DM where there
is none (the Home, a modal), or, when Slack itself is out of reach, 503, which Slack shows as a
failed click; for a form, the words under its first field. Any other request
(an event) is answered 503 when the database is out of reach, so that Slack delivers it again
(the event's dedupe key holds), and 400 otherwise. Never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from sqlalchemy import exc

from bot.errors import DatabaseUnavailableError, GoodwillError, InputError, MalformedRequestError
from bot.slack.messages import ephemeral

log = logging.getLogger(__name__)

# What a request in a shape Slack does not send fails with, deep in the code that read it.
_UNREADABLE = (LookupError, TypeError, AttributeError, ValueError, ArithmeticError, exc.DataError)
# The database refusing or dropping the connection, or a statement it gave up on.
_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, exc.DisconnectionError)
_PERSON_WAITING = ("block_actions", "message_action", "shortcut", "interactive_message")
_TITLE = "Goodwill"


def answer_failure(error: Exception, body: Any, context: BoltContext) -> BoltResponse:
    """Bolt's error handler: log `error`, tell the person, and say what Slack is answered."""
    failure = what_went_wrong(error)
    _log(failure, error)
    if not isinstance(body, Mapping):
        return BoltResponse(status=400, body="")
    words = failure.user_message
    if "command" in body and "type" not in body:
        return BoltResponse(
            status=200,
            body=json.dumps(ephemeral(words)),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    kind = body.get("type")
    if kind == "view_submission":
        return _form_answer(body.get("view"), words)
    if kind in _PERSON_WAITING:
        if isinstance(error, OSError):
            # Slack itself is out of reach, so no message would arrive: a refused answer is
            # what makes Slack show the person that their click failed.
            return BoltResponse(status=503, body="")
        _tell(context, words)
        return BoltResponse(status=200, body="")
    return BoltResponse(status=503 if isinstance(failure, DatabaseUnavailableError) else 400)


def what_went_wrong(error: Exception) -> GoodwillError:
    if isinstance(error, GoodwillError):
        return error
    if isinstance(error, exc.StatementError) and not isinstance(error, exc.DBAPIError):
        # Raised while SQLAlchemy prepared a statement's values: the value is the problem.
        return what_went_wrong(error.orig) if isinstance(error.orig, Exception) else GoodwillError()
    if isinstance(error, _UNAVAILABLE) or getattr(error, "connection_invalidated", False):
        return DatabaseUnavailableError()
    if isinstance(error, _UNREADABLE):
        return MalformedRequestError()
    return GoodwillError()


def _log(failure: GoodwillError, error: Exception) -> None:
    if isinstance(failure, DatabaseUnavailableError) and failure is not error:
        log.warning("the database is out of reach; a request was refused: %s", _first_line(error))
    elif isinstance(error, InputError):
        log.info("a request was refused: %s", error.user_message)
    else:
        log.error("a listener failed", exc_info=error)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _form_answer(view: object, words: str) -> BoltResponse:
    """The words under the form's first field; or, in a form without fields, in its place."""
    state = view.get("state") if isinstance(view, Mapping) else None
    values = state.get("values") if isinstance(state, Mapping) else None
    first = next(iter(values), None) if isinstance(values, Mapping) and values else None
    if isinstance(first, str):
        answer: dict[str, Any] = {"response_action": "errors", "errors": {first: words}}
    else:
        answer = {
            "response_action": "update",
            "view": {
                "type": "modal",
                "title": {"type": "plain_text", "text": _TITLE},
                "close": {"type": "plain_text", "text": "Close"},
                "blocks": [{"type": "section", "text": {"type": "plain_text", "text": words}}],
            },
        }
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )


def _tell(context: BoltContext, words: str) -> None:
    """An ephemeral message through the response_url, or a DM where there is none."""
    try:
        if context.response_url:
            respond = context.respond
            assert respond is not None
            respond(text=words, response_type="ephemeral", replace_original=False)
        elif isinstance(context.user_id, str) and context.client is not None:
            context.client.chat_postMessage(channel=context.user_id, text=words)
    except Exception:  # Slack out of reach too: the log is all that is left
        log.warning("could not tell the person what went wrong", exc_info=True)
