"""How sending each message went: recorded with the next start, and summed up for the job."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.scheduler.outbox import mark_failed, mark_sent, mark_uncertain, release

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    released: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendReport) -> None:
        for name in ("sent", "failed", "released", "uncertain"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


@dataclass(frozen=True)
class Outcome:
    """How sending one message went, recorded with the next claim."""

    message_id: int
    kind: str  # sent | failed | released | uncertain
    reason: str = ""
    sent_at: datetime | None = None
    channel_id: str = ""
    ts: str = ""
    retry_at: datetime | None = None
    code: str | None = None

    def record(self, session: Session, report: SendReport) -> None:
        if self.kind == "sent":
            assert self.sent_at is not None
            mark_sent(session, self.message_id, self.sent_at, self.channel_id, self.ts)
            report.sent += 1
        elif self.kind == "failed":
            mark_failed(session, self.message_id, self.reason)
            report.failed += 1
        elif self.kind == "released":
            assert self.retry_at is not None
            release(session, self.message_id, self.retry_at, self.reason)
            report.released += 1
        else:
            mark_uncertain(session, self.message_id, self.reason)
            report.uncertain += 1
            log.warning("outbox message %s is uncertain: %s", self.message_id, self.reason)
        if self.code:
            report.errors.append(self.code)
