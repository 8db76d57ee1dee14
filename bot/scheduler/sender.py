"""Delivering the outbox to Slack: paced, from one or a few threads, each message marked once.

Each sending thread has at most one message in flight: one transaction records how its last
message went and starts the next (marks it `sending`), then the Web API call goes. A crash
therefore leaves at most one `uncertain` row per thread, and the rows the sender only held
are taken up again by the next sender.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.scheduler.lease import Lease
from bot.scheduler.outbox import Started, free_held_by_others, start_sending
from bot.scheduler.outcomes import Outcome, SendReport
from bot.scheduler.pacer import Pacer
from bot.scheduler.turns import Turns

__all__ = ["PERMANENT_ERRORS", "Pacer", "SendReport", "Sender", "new_worker_id"]

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]

# Slack's answers that retrying cannot change, in words an admin can act on.
PERMANENT_ERRORS = {
    "channel_not_found": "The channel no longer exists, or Goodwill cannot see it.",
    "not_in_channel": "Goodwill is not in the channel: invite it with /invite @Goodwill.",
    "is_archived": "The channel is archived: choose another one.",
    "account_inactive": "The person's account is deactivated.",
    "user_not_found": "Slack does not know this person any more.",
    "user_disabled": "The person's account is disabled.",
    "cannot_dm_bot": "This is a bot, which cannot receive direct messages.",
    "restricted_action": "A workspace setting stops Goodwill from posting here.",
    "msg_too_long": "The message was too long for Slack.",
    "invalid_blocks": "Slack refused the message's layout.",
    "no_text": "The message was empty.",
    "invalid_auth": "Goodwill's token is no longer valid: reinstall the app.",
    "token_revoked": "Goodwill's token was revoked: reinstall the app.",
    "account_suspended": "The workspace is suspended.",
    "team_access_not_granted": "Goodwill has no access to this workspace.",
}

# Slack did not take the message; it is safe to send it again later.
RETRY_LATER = timedelta(minutes=1)
# While sending, a sender with a lease asks at most this often whether it still leads: a
# leader that lost its database connection stops within about this long.
LEASE_CHECK_SECONDS = 1.0


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Sender:
    """Sends the outbox's due messages from `threads` threads that share one pacer."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client_for: ClientFor,
        clock: Callable[[], datetime],
        pacer: Pacer,
        worker_id: str | None = None,
        threads: int = 1,
        lease: Lease | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError("a sender needs at least one thread")
        self.sessions = sessions
        self.client_for = client_for
        self.clock = clock
        self.pacer = pacer
        self.worker_id = worker_id or new_worker_id()
        self.threads = threads
        self.lease = lease
        self._lease_checked = -math.inf
        self._lease_lock = threading.Lock()

    def send_due(self) -> SendReport:
        """Send what is due now, until nothing is left, from `threads` threads."""
        turns = Turns(self.sessions, self.clock, self.pacer, self.worker_id)
        reports = [SendReport() for _ in range(self.threads)]
        try:
            if self.threads == 1:
                self._send_turns(turns, reports[0])
            else:
                self._in_threads(turns, reports)
        finally:
            turns.release_held()
        total = SendReport()
        for report in reports:
            total.add(report)
        return total

    def take_over(self) -> None:
        """Now leading: what the last leader held and never started is this sender's to send
        now, not once its hold runs out."""
        with self.sessions.begin() as session:
            freed = free_held_by_others(session, self.worker_id)
        if freed:
            log.info("took over %d messages the last leader held", freed)

    def _leads(self) -> bool:
        """Whether this process still leads, asked at most once a LEASE_CHECK_SECONDS."""
        if self.lease is None:
            return True
        with self._lease_lock:
            now = time.monotonic()
            if now - self._lease_checked < LEASE_CHECK_SECONDS:
                return True
            if not self.lease.held():
                log.warning("sending stopped: this process no longer leads the scheduler")
                self._lease_checked = -math.inf
                return False
            self._lease_checked = now
            return True

    def _in_threads(self, turns: Turns, reports: list[SendReport]) -> None:
        failures: list[BaseException] = []

        def run(report: SendReport) -> None:
            try:
                self._send_turns(turns, report)
            except BaseException as error:
                turns.stop()  # the others finish the message they are on, then stop
                failures.append(error)

        threads = [
            threading.Thread(target=run, args=(report,), name=f"goodwill-sender-{n}")
            for n, report in enumerate(reports)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _send_turns(self, turns: Turns, report: SendReport) -> None:
        outcome: Outcome | None = None
        while (turn := turns.take()) is not None:
            if turn.message is None:
                # Nothing to send yet: the last outcome does not wait in `sending` meanwhile.
                if outcome is not None:
                    with self.sessions.begin() as session:
                        outcome.record(session, report)
                    outcome = None
                self.pacer.sleep(turn.wait)
                continue
            channel_id = turn.message.channel_id
            try:
                with self.sessions.begin() as session:
                    if outcome is not None:
                        outcome.record(session, report)
                    started = start_sending(session, turn.message, self.clock(), self.worker_id)
            except BaseException:
                self.pacer.release(channel_id)
                raise
            outcome = None
            if started is None:
                self.pacer.release(channel_id)
                continue
            if started.slack_wait > 0:
                self.pacer.pause(started.slack_wait, started.team_id)
            # Booked once the message is ready, so Slack sees the calls spaced as they were
            # booked, not by how long each transaction happened to take.
            self.pacer.sleep(self.pacer.book(channel_id, started.team_id))
            if not self._leads():
                # Another process may lead now and send at the workspace's pace: this one
                # must not add to it. The message was never sent; it goes back at once.
                outcome = Outcome(started.id, "released", "", retry_at=self.clock())
                turns.stop()
                continue
            outcome = self._send(started)
        if outcome is not None:
            with self.sessions.begin() as session:
                outcome.record(session, report)

    def _send(self, message: Started) -> Outcome:
        message_id, team_id, channel_id = message.id, message.team_id, message.channel_id
        payload = message.payload
        blocks = payload.get("blocks")
        try:
            client = _at_most_once(self.pacer.watching(self.client_for(team_id), team_id))
        except LookupError as error:
            return Outcome(message_id, "failed", f"Goodwill is not installed there: {error}")
        except Exception:
            # Nothing went to Slack (a token refresh failed, say): safe to try again, and one
            # thread's trouble with one workspace does not stop the others.
            log.exception("outbox message %s: no Web API client for %s", message_id, team_id)
            return Outcome(
                message_id,
                "released",
                "Goodwill could not reach this workspace's token; see the logs",
                retry_at=self.clock() + RETRY_LATER,
            )
        try:
            response = client.chat_postMessage(
                channel=channel_id,
                text=str(payload.get("text") or ""),
                blocks=blocks if isinstance(blocks, list) else None,
                unfurl_links=False,
            )
        except SlackApiError as error:
            return self._refused(message_id, team_id, channel_id, error)
        except (TimeoutError, ConnectionError) as error:
            # The request went and its answer was lost (urllib raises these from reading the
            # response): Slack may have posted it, so never risk a second copy.
            return Outcome(message_id, "uncertain", f"Slack's answer was lost: {error!r}")
        except URLError as error:
            # Raised while connecting or writing the request (refused, unreachable, reset
            # mid-write): Slack never had a whole request, so it is safe to try again.
            return Outcome(
                message_id,
                "released",
                f"Slack unreachable: {error}",
                retry_at=self.clock() + RETRY_LATER,
            )
        except Exception:
            log.exception("outbox message %s: sending failed unexpectedly", message_id)
            return Outcome(message_id, "uncertain", "Sending failed unexpectedly; see the logs")
        return Outcome(
            message_id,
            "sent",
            sent_at=self.clock(),
            channel_id=response["channel"],
            ts=response["ts"],
        )

    def _refused(
        self, message_id: int, team_id: str, channel_id: str, error: SlackApiError
    ) -> Outcome:
        code = str(error.response.get("error") or error.response.status_code)
        log.warning("outbox message %s to %s in %s: %s", message_id, channel_id, team_id, code)
        if code in PERMANENT_ERRORS:
            return Outcome(message_id, "failed", f"{PERMANENT_ERRORS[code]} ({code})", code=code)
        retry_after = int(error.response.headers.get("Retry-After", 0) or 0)
        delay = timedelta(seconds=retry_after) if retry_after else RETRY_LATER
        return Outcome(
            message_id,
            "released",
            f"Slack answered {code}",
            retry_at=self.clock() + delay,
            code=code,
        )


def _at_most_once(client: WebClient) -> WebClient:
    """`client` (a copy already) without slack_sdk's retries on connection errors.

    slack_sdk retries a call whose connection broke, including after the request went out
    (RemoteDisconnected while reading the answer): for chat.postMessage that posts twice. The
    sender decides itself: a release for what never reached Slack, uncertain for the rest.
    """
    client.retry_handlers = [
        handler
        for handler in client.retry_handlers
        if not isinstance(handler, ConnectionErrorRetryHandler)
    ]
    return client
