"""APScheduler wiring: a planning tick every minute, a sender that drains the outbox, and now
and then a question to Slack about the channels of asks, offers and thanks it did not
describe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.kinds import settle_channels
from bot.scheduler.lease import Lease
from bot.scheduler.sender import Sender
from bot.scheduler.tick import run_tick
from bot.slack.api import ChannelKinds

log = logging.getLogger(__name__)

SEND_EVERY_SECONDS = 5
SETTLE_EVERY_MINUTES = 10


def schedule(
    scheduler: BaseScheduler,
    sessions: sessionmaker[Session],
    sender: Sender,
    clock: Callable[[], datetime],
    lease: Lease | None = None,
) -> BaseScheduler:
    """The jobs; with a `lease`, they run only while this process holds it, which each job
    checks first: a process that lost its lease stops at its next job, and another that was
    waiting takes the lease at its own (within SEND_EVERY_SECONDS)."""

    leading = False

    def leads() -> bool:
        nonlocal leading
        if lease is None:
            return True
        was_leading, leading = leading, lease.held()
        if leading and not was_leading:
            sender.take_over()
        return leading

    def tick() -> None:
        if not leads():
            return
        report = run_tick(sessions, clock())
        if report.planned or report.expired or report.uncertain:
            log.info("tick: %s", report)

    def send() -> None:
        if not leads():
            return
        report = sender.send_due()
        if report.sent or report.failed or report.released or report.uncertain:
            log.info("sent: %s", report)

    kinds = ChannelKinds()

    def settle() -> None:
        if not leads():
            return
        settle_channels(sessions, sender.client_for, kinds, clock())

    # coalesce + max_instances=1: a slow run is never doubled up by the next one; missed runs
    # (downtime) collapse into one, and the planners catch up on what is still timely.
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        tick, IntervalTrigger(minutes=1), id="tick", next_run_time=datetime.now(UTC), **common
    )
    scheduler.add_job(send, IntervalTrigger(seconds=SEND_EVERY_SECONDS), id="send", **common)
    scheduler.add_job(settle, IntervalTrigger(minutes=SETTLE_EVERY_MINUTES), id="settle", **common)
    return scheduler


def start_in_background(
    sessions: sessionmaker[Session],
    sender: Sender,
    clock: Callable[[], datetime],
    lease: Lease | None = None,
) -> BaseScheduler:
    scheduler = schedule(BackgroundScheduler(timezone=UTC), sessions, sender, clock, lease)
    scheduler.start()
    return scheduler


def run_blocking(
    sessions: sessionmaker[Session],
    sender: Sender,
    clock: Callable[[], datetime],
    lease: Lease | None = None,
) -> None:
    log.info("Goodwill worker %s: ticking every minute while it leads", sender.worker_id)
    schedule(BlockingScheduler(timezone=UTC), sessions, sender, clock, lease).start()
