"""Helpers for the nudge tests: credits with weights and kinds, members' flags, who would be
nudged, and the nudge DMs as Slack shows them."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.ledger.credits import NewCredit
from bot.models import Credit, FavorRequest, Member, OutboxMessage, Workspace
from bot.nudges.plan import nudge_candidates
from bot.sandbox.harness import Sandbox
from slack_emulator import Message
from tests.rhythm import TEAM
from tests.support import insert_credits

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
DEPLOYBOT, FRANK = "U0DEPLOY9", "U0FRANK06"
_keys = count(1)


def give(
    sessions: sessionmaker[Session],
    helper: str,
    helped: str,
    at: datetime,
    *,
    weight: int = 1,
    kind: str = "favor",
    reason: str | None = None,
    retracted: bool = False,
) -> None:
    """A credit helper -> helped recorded at `at`, as the ledger records them."""
    key = f"nudge-test:{next(_keys)}"
    with sessions.begin() as session:
        credit = NewCredit(helper, helped, kind, key, weight=weight, reason=reason)
        assert insert_credits(session, TEAM, [credit], at) == 1
        if retracted:
            session.execute(update(Credit).where(Credit.source_key == key).values(retracted_at=at))


# Long before every window the rules read (90 days at most before the tests' dates), and more
# than three weeks before: the members' first exchanges with Goodwill.
JUNE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD_HAND = "U0OLDHAND"  # someone they exchanged with then, no longer a member


def with_goodwill_since_june(sessions: sessionmaker[Session], *, but: tuple[str, ...] = ()) -> None:
    """Each member of the workspace (`but` those) gave a first hand in June."""
    with sessions() as session:
        members = list(session.scalars(select(Member.user_id).where(Member.team_id == TEAM)))
    for user_id in members:
        if user_id not in but:
            give(sessions, user_id, OLD_HAND, JUNE)


def newcomer(sessions: sessionmaker[Session], user_id: str) -> None:
    """`user_id` has no exchange from before: their first is yet to come."""
    with sessions.begin() as session:
        session.execute(
            delete(Credit).where(
                Credit.team_id == TEAM, Credit.helper_id == user_id, Credit.helped_id == OLD_HAND
            )
        )


def ask(sessions: sessionmaker[Session], author: str, at: datetime, status: str = "open") -> None:
    with sessions.begin() as session:
        session.add(ask_row(TEAM, author, at, status))


def ask_row(team_id: str, author: str, at: datetime, status: str = "open") -> FavorRequest:
    """An ask posted at `at`."""
    return FavorRequest(
        public_id=f"ask-{next(_keys)}",
        team_id=team_id,
        kind="ask",
        author_id=author,
        text="a hand with the slides",
        channel_id="C0GENERAL",
        status=status,
        created_at=at,
    )


def set_member(sessions: sessionmaker[Session], user_id: str, **fields: object) -> None:
    with sessions.begin() as session:
        member = session.get(Member, (TEAM, user_id))
        assert member is not None
        for name, value in fields.items():
            setattr(member, name, value)


def member(sessions: sessionmaker[Session], user_id: str) -> Member:
    with sessions() as session:
        found = session.get(Member, (TEAM, user_id))
        assert found is not None
        return found


def who(sessions: sessionmaker[Session], at: datetime) -> dict[str, tuple[str, str | None]]:
    """Who would be nudged at `at`: {recipient: (kind, about)}."""
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        return {
            c.recipient_id: (c.kind, c.about_id) for c in nudge_candidates(session, workspace, at)
        }


def nudges(sessions: sessionmaker[Session], recipient: str | None = None) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "nudge")
        if recipient is not None:
            query = query.where(OutboxMessage.recipient_id == recipient)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def add_nudge(
    sessions: sessionmaker[Session],
    recipient: str,
    at: datetime,
    *,
    kind: str = "pair",
    about: str | None = None,
    status: str = "sent",
) -> None:
    """A nudge in the outbox as if planned at `at`, to test the rules that look back."""
    with sessions.begin() as session:
        session.add(outbox_nudge(TEAM, recipient, at, kind=kind, about=about, status=status))


def outbox_nudge(
    team_id: str, recipient: str, at: datetime, *, kind: str, about: str | None, status: str
) -> OutboxMessage:
    """An outbox row for a nudge planned at `at`, keyed as the planner keys them."""
    return OutboxMessage(
        team_id=team_id,
        dedupe_key=f"nudge:{team_id}:{recipient}:{kind}:test-{next(_keys)}",
        kind="nudge",
        channel_id=recipient,
        recipient_id=recipient,
        about_user_id=about,
        payload={"text": "earlier"},
        status=status,
        due_at=at,
        expires_at=at,
    )


def sent_dm(sandbox: Sandbox, row: OutboxMessage) -> Message:
    """The DM a sent nudge became, as it looks now (after any updates)."""
    assert row.status == "sent" and row.slack_channel_id and row.slack_ts
    [found] = [m for m in sandbox.emulator.messages(row.slack_channel_id) if m.ts == row.slack_ts]
    return found


def action_ids(message: Message) -> list[str]:
    return [
        element["action_id"]
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]
