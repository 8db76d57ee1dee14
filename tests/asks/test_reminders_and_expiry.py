"""Asks and offers left waiting: one reminder of the answers, a day after the first; expiry,
with a note, after the workspace's number of days. Planned by bot.asks.plan, through a tick
of the scheduler and its sender, to the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.asks.plan import expiry_key, next_due, plan_requests, reminder_key, requests_due
from bot.models import OutboxMessage, Workspace
from bot.sandbox.harness import Sandbox
from bot.sandbox.seed import TEAM_ID
from bot.scheduler.sender import Pacer, Sender, SendReport
from bot.scheduler.tick import TickReport, run_tick
from bot.slack.app import make_client
from bot.slack.ids import (
    ASK_DONE,
    ASK_NOT_NEEDED,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    OFFER_CONFIRM,
    OFFER_TAKE,
)
from tests.asks.forms import open_close_form, send_close_form
from tests.asks.test_asks_offers import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    buttons,
    click,
    credits,
    dms,
    notes,
    now,
    post,
    requests,
)
from tests.support import Clock


def tick(sandbox: Sandbox, at: datetime) -> tuple[TickReport, SendReport]:
    """A tick at `at` planning only the asks' reminders and expiries (no digest, prompt or
    nudge rhythm), then the sender, as the scheduler runs them."""
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    planned = run_tick(sandbox.sessions, at, planners=())
    sender = Sender(sandbox.sessions, lambda _team_id: client, lambda: at, Pacer(100, 0.0))
    return planned, sender.send_due()


def outbox(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.dedupe_key, row.recipient_id or "", row.status) for row in rows]


def due(sessions: sessionmaker[Session], at: datetime) -> set[str]:
    with sessions() as session:
        return requests_due(session, at)


def test_the_asker_is_reminded_once_a_day_after_the_first_answer(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask a hand with the expense report medium")
    clock.advance(hours=1)
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    first_answer = clock.now
    clock.advance(hours=3)
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    remind_at = first_answer + timedelta(days=1)
    public_id = requests(sessions)[0].public_id

    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM_ID)
        assert workspace is not None
        assert plan_requests(session, workspace, remind_at - timedelta(minutes=1)) == []
    assert due(sessions, remind_at - timedelta(minutes=1)) == set()
    assert due(sessions, remind_at) == {TEAM_ID}

    planned, sent = tick(sandbox, remind_at)

    assert (planned.planned, sent.sent) == (1, 1)
    assert outbox(sessions) == [(reminder_key(TEAM_ID, public_id), ALICE, "sent")]
    reminder = dms(sandbox, ALICE)[-1]
    assert "<@U0BOB0002> and <@U0CAROL03> offered to help with your ask" in reminder.text
    assert buttons(reminder) == [ASK_DONE]
    assert due(sessions, remind_at + timedelta(days=2)) == set()  # until it expires

    # Once: later ticks, and a later answer, remind of nothing more.
    clock.advance(days=1, hours=1)
    click(sandbox, DAVE, ask, ASK_VOLUNTEER)
    for later in (timedelta(minutes=1), timedelta(days=2), timedelta(days=5)):
        assert tick(sandbox, remind_at + later)[0].planned == 0
    assert len(outbox(sessions)) == 1
    assert due(sessions, remind_at + timedelta(days=5)) == set()

    # The reminder's Done opens the form with everyone still waiting.
    form = open_close_form(sandbox, ALICE, reminder, ASK_DONE)
    send_close_form(sandbox, ALICE, form, picked=[BOB, CAROL])
    assert [(c.helper_id, c.weight) for c in credits(sessions)] == [(BOB, 2), (CAROL, 2)]
    assert "didn't need your hand" in dms(sandbox, DAVE)[-1].text


def test_the_scheduler_s_own_tick_plans_the_reminder_with_its_rhythms(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask a hand with the expense report")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    remind_at = clock.now + timedelta(days=1)
    public_id = requests(sessions)[0].public_id

    run_tick(sessions, remind_at)  # every rhythm, as the scheduler's job runs it

    assert (reminder_key(TEAM_ID, public_id), ALICE, "pending") in outbox(sessions)


def test_no_reminder_without_an_answer_waiting(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    post(sandbox, ALICE, "ask nobody answers this")
    set_aside = post(sandbox, DAVE, "ask a proofread")
    click(sandbox, BOB, set_aside, ASK_VOLUNTEER)
    [bob_dm] = dms(sandbox, DAVE)
    click(sandbox, DAVE, bob_dm, ASK_NOT_NEEDED)

    assert due(sessions, start + timedelta(days=1)) == {TEAM_ID}  # Bob answered, then...
    planned, _ = tick(sandbox, start + timedelta(days=1))
    assert planned.planned == 0  # ...was set aside: nothing to remind of
    assert [row.remind_at for row in requests(sessions)] == [None, None]
    assert due(sessions, start + timedelta(days=2)) == set()
    assert outbox(sessions) == []
    assert len(dms(sandbox, ALICE)) == 0 and len(dms(sandbox, DAVE)) == 1


def test_requests_open_too_long_expire_once_with_a_note(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    ask = post(sandbox, ALICE, "ask a desk by the window")
    offer = post(sandbox, BOB, "offer my old keyboard")
    click(sandbox, CAROL, offer, OFFER_TAKE)  # waiting since: its reminder is due too
    [carol_dm] = dms(sandbox, BOB)
    expires = start + timedelta(days=14)
    with sessions() as session:
        assert next_due(session) == {TEAM_ID: start + timedelta(days=1)}

    assert tick(sandbox, expires - timedelta(minutes=1))[0].planned == 1  # the reminder
    assert [row.status for row in requests(sessions)] == ["open", "open"]
    assert due(sessions, expires) == {TEAM_ID}

    planned, sent = tick(sandbox, expires)

    assert (planned.planned, sent.sent) == (2, 2)
    ask_id, offer_id = (row.public_id for row in requests(sessions))
    assert outbox(sessions)[1:] == [
        (expiry_key(TEAM_ID, ask_id), ALICE, "sent"),
        (expiry_key(TEAM_ID, offer_id), BOB, "sent"),
    ]
    assert [(row.status, row.closed_at) for row in requests(sessions)] == [
        ("expired", expires),
        ("expired", expires),
    ]
    [note] = dms(sandbox, ALICE)
    assert note.text.startswith("Your ask “a desk by the window” was open for 14 days, so I've")
    assert "post it again with `/favor ask`" in note.text
    assert "<@U0CAROL03> had asked for it." in dms(sandbox, BOB)[-1].text
    assert tick(sandbox, expires + timedelta(hours=1))[0].planned == 0
    assert due(sessions, expires + timedelta(days=30)) == set()

    # Its buttons say so, and change nothing; the first click brings the message up to date.
    clock.advance(days=15)
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, ASK_WITHDRAW]
    click(sandbox, DAVE, ask, ASK_VOLUNTEER)
    assert buttons(now(sandbox, ask)) == []
    assert "by <@U0ALICE01> has closed: it was open a good while" in now(sandbox, ask).text
    click(sandbox, BOB, carol_dm, OFFER_CONFIRM)
    closed = "was open so long that it closed on its own, so it needs nothing more."
    assert notes(sandbox, DAVE) == [f"This ask {closed}"]
    assert notes(sandbox, BOB) == [f"This offer {closed}"]
    assert credits(sessions) == []


def test_the_workspace_says_how_long_requests_stay_open(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    post(sandbox, ALICE, "ask a lift on Friday")
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM_ID)
        assert workspace is not None and workspace.ask_expiry_days == 14
        workspace.ask_expiry_days = 3

    assert tick(sandbox, start + timedelta(days=3) - timedelta(seconds=1))[0].planned == 0
    assert tick(sandbox, start + timedelta(days=3))[0].planned == 1
    assert requests(sessions)[0].status == "expired"
    assert "was open for 3 days" in dms(sandbox, ALICE)[0].text


def test_a_shortened_setting_expires_older_requests_at_the_next_tick_saying_how_long(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    post(sandbox, ALICE, "ask a spare umbrella")
    assert tick(sandbox, start + timedelta(days=10))[0].planned == 0
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM_ID)
        assert workspace is not None
        workspace.ask_expiry_days = 3

    assert tick(sandbox, start + timedelta(days=10, minutes=1))[0].planned == 1
    assert "was open for 10 days" in dms(sandbox, ALICE)[0].text
