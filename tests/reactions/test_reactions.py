"""Credit emoji as thanks: signed reaction events into the real app, notes shown by the emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Member, ProcessedEvent, ReactionMark, Workspace
from bot.reactions.emoji import base_emoji
from bot.reactions.events import reaction_from_event
from bot.sandbox.harness import Sandbox
from slack_emulator import Message, SlackChannel, SlackUser
from tests.support import Clock, answerless

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
DEPLOYBOT, FRANK, GOODWILL = "U0DEPLOY9", "U0FRANK06", "U0GOODWILL"
GENERAL = "C0GENERAL"


def reaction_event(
    reactor: str, message: Message, emoji: str = "pray", *, added: bool = True, **changes: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "reaction_added" if added else "reaction_removed",
        "user": reactor,
        "reaction": emoji,
        "item_user": message.user,
        "item": {"type": "message", "channel": message.channel, "ts": message.ts},
        "event_ts": "1764000000.000100",
    }
    event.update(changes)
    return event


def react(
    sandbox: Sandbox, reactor: str, message: Message, emoji: str = "pray", **options: Any
) -> dict[str, Any]:
    """Deliver one reaction event; return its envelope (to deliver it again)."""
    envelope = sandbox.driver.event_envelope(reaction_event(reactor, message, emoji, **options))
    delivery = sandbox.driver.send_event(envelope)
    assert delivery.status == 200, delivery.body
    return envelope


def unreact(
    sandbox: Sandbox, reactor: str, message: Message, emoji: str = "pray"
) -> dict[str, Any]:
    return react(sandbox, reactor, message, emoji, added=False)


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def marks(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        live = ReactionMark.removed_ts.is_(None)  # not a removal that arrived first
        rows = session.execute(select(ReactionMark.reactor_id, ReactionMark.emoji).where(live))
    return sorted((row.reactor_id, row.emoji) for row in rows)


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def notes(sandbox: Sandbox, channel: str = GENERAL) -> list[Message]:
    return sandbox.emulator.messages(channel, ephemeral=True)


@pytest.fixture
def bobs_message(sandbox: Sandbox) -> Message:
    return sandbox.emulator.post_user_message(GENERAL, BOB, "Here is how to roll back a deploy")


def test_a_credit_emoji_credits_the_author_and_tells_only_the_reactor(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message, "pray")

    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id) == (BOB, ALICE)
    assert (credit.kind, credit.weight, credit.reason, credit.values) == ("reaction", 1, None, [])
    assert (credit.channel_id, credit.message_ts) == (GENERAL, bobs_message.ts)
    assert credit.source_key == f"reaction:{TEAM}:{GENERAL}:{bobs_message.ts}:{ALICE}"
    assert credit.created_at == clock.now and credit.retracted_at is None

    [note] = notes(sandbox)
    assert note.ephemeral_for == ALICE
    assert note.text.startswith(f"You thanked <@{BOB}> for their message")
    assert "Removing your reaction takes the thanks back" in str(note.blocks)
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == [bobs_message]


@pytest.mark.parametrize(
    "emoji", ["pray", "raised_hands", "thankyou", "raised_hands::skin-tone-3", "pray::skin-tone-6"]
)
def test_each_default_credit_emoji_and_its_skin_tones_count(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message, emoji: str
) -> None:
    react(sandbox, ALICE, bobs_message, emoji)
    assert [(c.helper_id, c.helped_id) for c in credits(sessions)] == [(BOB, ALICE)]
    assert marks(sessions) == [(ALICE, emoji)]


@pytest.mark.parametrize("emoji", ["thumbsup", "+1::skin-tone-2", "praying", "heart", "tada"])
def test_other_emoji_record_nothing_and_cost_no_call(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message, emoji: str
) -> None:
    before = len(sandbox.emulator.calls)
    react(sandbox, ALICE, bobs_message, emoji)
    unreact(sandbox, ALICE, bobs_message, emoji)

    assert credits(sessions) == []
    assert count(sessions, ReactionMark) == 0
    assert count(sessions, ProcessedEvent) == 0
    assert sandbox.emulator.calls[before:] == []


def test_several_credit_emoji_count_once_until_the_last_is_removed(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message, "pray")
    react(sandbox, ALICE, bobs_message, "raised_hands::skin-tone-2")
    [credit] = credits(sessions)
    assert marks(sessions) == [(ALICE, "pray"), (ALICE, "raised_hands::skin-tone-2")]
    assert len(notes(sandbox)) == 1  # the second emoji adds nothing to say

    clock.advance(minutes=5)
    unreact(sandbox, ALICE, bobs_message, "pray")
    [still] = credits(sessions)
    assert still.id == credit.id and still.retracted_at is None

    clock.advance(minutes=5)
    unreact(sandbox, ALICE, bobs_message, "raised_hands::skin-tone-2")
    [taken_back] = credits(sessions)
    assert taken_back.id == credit.id and taken_back.retracted_at == clock.now
    assert marks(sessions) == []
    assert len(notes(sandbox)) == 1  # taking thanks back is silent


def test_removing_then_adding_again_counts_again_on_the_same_row(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    first_given = clock.now
    react(sandbox, ALICE, bobs_message)
    clock.advance(hours=1)
    unreact(sandbox, ALICE, bobs_message)
    assert credits(sessions)[0].retracted_at == clock.now

    clock.advance(hours=1)
    react(sandbox, ALICE, bobs_message, "thankyou")
    [credit] = credits(sessions)
    assert credit.retracted_at is None
    assert credit.created_at == first_given  # the credit keeps the date it was first given
    assert [note.ephemeral_for for note in notes(sandbox)] == [ALICE, ALICE]


def test_different_reactors_and_messages_each_count(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    carols = sandbox.emulator.post_user_message(GENERAL, CAROL, "Lunch is on me")
    react(sandbox, ALICE, bobs_message)
    react(sandbox, DAVE, bobs_message)
    react(sandbox, ALICE, carols)
    unreact(sandbox, DAVE, bobs_message)  # Dave's removal leaves Alice's credit alone

    pairs = [(c.helper_id, c.helped_id, c.retracted_at is None) for c in credits(sessions)]
    assert pairs == [(BOB, ALICE, True), (BOB, DAVE, False), (CAROL, ALICE, True)]


def test_a_retried_event_counts_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    envelope = react(sandbox, ALICE, bobs_message)
    for retry_num in (1, 2, 3):
        assert sandbox.driver.send_event(envelope, retry_num=retry_num).status == 200

    assert len(credits(sessions)) == 1
    assert len(notes(sandbox)) == 1
    assert count(sessions, ProcessedEvent) == 1


def test_a_retried_removal_does_not_undo_a_later_reaction(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message)
    removal = unreact(sandbox, ALICE, bobs_message)
    added_again = react(sandbox, ALICE, bobs_message)
    # Slack had not seen our answer to the removal in time and sends it again, late.
    sandbox.driver.send_event(removal, retry_num=1)

    [credit] = credits(sessions)
    assert credit.retracted_at is None
    assert marks(sessions) == [(ALICE, "pray")]
    sandbox.driver.send_event(added_again, retry_num=2)
    assert len(credits(sessions)) == 1
    assert len(notes(sandbox)) == 2


def test_undo_takes_back_a_newer_reaction_not_an_older_thanks(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{CAROL}> for the review", GENERAL)
    clock.advance(minutes=5)
    react(sandbox, ALICE, bobs_message)

    _, shown = sandbox.driver.slash_command(ALICE, "/favor", "undo", GENERAL)

    assert shown is not None and shown.ephemeral_for == ALICE
    assert shown.text.startswith(f":leftwards_arrow_with_hook: Undone: you reacted to <@{BOB}>'s")
    assert "The emoji can stay on the message." in shown.text
    thanks, reaction = credits(sessions)
    assert thanks.retracted_at is None
    assert reaction.kind == "reaction" and reaction.retracted_at == clock.now

    # Another credit emoji on the message is a new act of thanks; taking every emoji off
    # then retracts it as usual.
    clock.advance(minutes=1)
    react(sandbox, ALICE, bobs_message, "raised_hands")
    assert credits(sessions)[1].retracted_at is None
    unreact(sandbox, ALICE, bobs_message)
    unreact(sandbox, ALICE, bobs_message, "raised_hands")
    assert credits(sessions)[1].retracted_at == clock.now
    assert credits(sessions)[0].retracted_at is None


def test_taking_off_an_undone_reactions_emoji_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message)
    sandbox.driver.slash_command(ALICE, "/favor", "undo", GENERAL)
    undone_at = clock.now
    clock.advance(minutes=1)

    unreact(sandbox, ALICE, bobs_message)

    [credit] = credits(sessions)
    assert credit.retracted_at == undone_at
    assert marks(sessions) == []


def deliver_at_once(sandbox: Sandbox, envelopes: list[dict[str, Any]]) -> list[int]:
    statuses: list[int] = []
    start = threading.Barrier(len(envelopes))

    def deliver(envelope: dict[str, Any], retry_num: int) -> None:
        start.wait()
        statuses.append(sandbox.driver.send_event(envelope, retry_num=retry_num).status)

    threads = [
        threading.Thread(target=deliver, args=(envelope, n)) for n, envelope in enumerate(envelopes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_duplicate_deliveries_count_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    envelope = sandbox.driver.event_envelope(reaction_event(ALICE, bobs_message))

    assert deliver_at_once(sandbox, [envelope] * 6) == [200] * 6

    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.retracted_at) == (BOB, ALICE, None)
    assert len(notes(sandbox)) == 1
    assert count(sessions, ProcessedEvent) == 1


def test_concurrent_different_emoji_from_one_reactor_count_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    emoji = ["pray", "raised_hands", "thankyou", "pray::skin-tone-2"]
    envelopes = [
        sandbox.driver.event_envelope(reaction_event(ALICE, bobs_message, e)) for e in emoji
    ]

    assert deliver_at_once(sandbox, envelopes) == [200] * 4

    assert len(credits(sessions)) == 1
    assert len(marks(sessions)) == 4
    assert len(notes(sandbox)) == 1


def test_a_removal_delivered_before_its_add_leaves_no_credit(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    # Slack retries the add that failed, minutes later: its removal arrived first.
    late_add = sandbox.driver.event_envelope(
        reaction_event(ALICE, bobs_message, event_ts="1764000000.000100")
    )
    react(sandbox, ALICE, bobs_message, added=False, event_ts="1764000007.000200")
    assert sandbox.driver.send_event(late_add, retry_num=1).status == 200

    assert credits(sessions) == []
    assert notes(sandbox) == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReactionMark)) == 1
        assert session.scalar(select(ReactionMark.removed_ts)) == "1764000007.000200"

    # Put back later, the emoji counts again.
    react(sandbox, ALICE, bobs_message, event_ts="1764000090.000300")
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.retracted_at) == (BOB, ALICE, None)
    assert marks(sessions) == [(ALICE, "pray")]
    with sessions() as session:
        assert session.scalar(select(ReactionMark.removed_ts)) is None
    assert len(notes(sandbox)) == 1

    unreact(sandbox, ALICE, bobs_message)  # and taken off, the credit goes
    assert credits(sessions)[0].retracted_at is not None
    assert marks(sessions) == []


@pytest.mark.parametrize("event_ts", ["", "soon", "NaN", "Infinity", "1" * 40])
def test_a_removal_first_without_a_usable_time_is_not_remembered(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message, event_ts: str
) -> None:
    react(sandbox, ALICE, bobs_message, added=False, event_ts=event_ts)
    assert count(sessions, ReactionMark) == 0
    react(sandbox, ALICE, bobs_message, event_ts=event_ts)  # nothing to tell it from: it counts
    assert len(credits(sessions)) == 1


def test_a_late_add_of_one_emoji_leaves_another_emojis_credit_alone(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message, "raised_hands", event_ts="1764000001.000100")
    late_add = sandbox.driver.event_envelope(
        reaction_event(ALICE, bobs_message, "pray", event_ts="1764000002.000100")
    )
    react(sandbox, ALICE, bobs_message, "pray", added=False, event_ts="1764000003.000100")
    sandbox.driver.send_event(late_add, retry_num=2)

    [credit] = credits(sessions)
    assert credit.retracted_at is None  # raised_hands is still there
    assert marks(sessions) == [(ALICE, "raised_hands")]


def test_reactions_at_the_same_moment_stay_within_the_daily_cap(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Alice thanks eight of Bob's messages at once, where the day allows five credits.
    messages = [sandbox.emulator.post_user_message(GENERAL, BOB, f"tip {n}") for n in range(8)]
    envelopes = [sandbox.driver.event_envelope(reaction_event(ALICE, m)) for m in messages]

    assert deliver_at_once(sandbox, envelopes) == [200] * 8

    assert len(credits(sessions)) == 5
    assert len(marks(sessions)) == 8  # every emoji is on its message, counted or not


def test_an_add_and_a_remove_at_once_leave_the_credit_matching_the_marks(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for round_number in range(5):
        message = sandbox.emulator.post_user_message(GENERAL, BOB, f"tip {round_number}")
        react(sandbox, ALICE, message, "pray")
        envelopes = [
            sandbox.driver.event_envelope(reaction_event(ALICE, message, "raised_hands")),
            sandbox.driver.event_envelope(reaction_event(ALICE, message, "pray", added=False)),
        ]
        assert deliver_at_once(sandbox, envelopes) == [200, 200]
    # Whatever order they ran in, raised_hands is on each message and the credit stands.
    assert [c.retracted_at for c in credits(sessions)] == [None] * 5
    assert marks(sessions) == [(ALICE, "raised_hands")] * 5


@pytest.mark.parametrize(
    ("reactor", "author", "changes"),
    [
        (ALICE, ALICE, {}),  # reacting to your own message
        (ALICE, DEPLOYBOT, {}),  # a bot's message
        (ALICE, GOODWILL, {}),  # Goodwill's own message
        (ALICE, FRANK, {}),  # a message from someone who has left
        (DEPLOYBOT, BOB, {}),  # a bot reacting
        (ALICE, BOB, {"item_user": None}),  # an app's message: Slack sends no item_user
        (ALICE, BOB, {"item": {"type": "file", "file": "F0SANDBOX1"}}),
        (ALICE, BOB, {"item": {"type": "message", "channel": GENERAL}}),  # no ts
    ],
)
def test_reactions_that_credit_no_one_are_ignored(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    reactor: str,
    author: str,
    changes: dict[str, Any],
) -> None:
    message = sandbox.emulator.post_user_message(GENERAL, author, "Deploy finished")
    react(sandbox, reactor, message, **changes)
    react(sandbox, reactor, message, added=False, **changes)

    assert credits(sessions) == []
    assert count(sessions, ReactionMark) == 0
    assert notes(sandbox) == []


def test_the_daily_cap_refuses_politely_and_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    messages = [sandbox.emulator.post_user_message(GENERAL, BOB, f"tip {n}") for n in range(7)]
    for message in messages[:5]:
        react(sandbox, ALICE, message)
        clock.advance(minutes=10)
    envelope = react(sandbox, ALICE, messages[5])

    assert len(credits(sessions)) == 5
    refusal = notes(sandbox)[-1]
    assert refusal.ephemeral_for == ALICE
    assert f"already credited <@{BOB}> 5 times today" in refusal.text
    assert "didn't count" in str(refusal.blocks)
    sandbox.driver.send_event(envelope, retry_num=1)
    assert len(notes(sandbox)) == 6  # five thanks and one refusal, not told twice

    react(sandbox, CAROL, messages[5])  # someone else may still thank Bob
    clock.advance(days=1)
    react(sandbox, ALICE, messages[6])  # and Alice may tomorrow
    assert len(credits(sessions)) == 7


def test_a_repeated_retraction_and_re_add_is_not_gaming(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    for _ in range(8):  # more times than the daily cap: it is one credit, toggled
        react(sandbox, ALICE, bobs_message)
        unreact(sandbox, ALICE, bobs_message)
    react(sandbox, ALICE, bobs_message)

    [credit] = credits(sessions)
    assert credit.retracted_at is None


def test_no_confirmation_for_someone_who_turned_them_off(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    with sessions.begin() as session:
        session.execute(
            update(Member).where(Member.user_id == ALICE).values(reaction_confirmations_off=True)
        )
    react(sandbox, ALICE, bobs_message)

    assert len(credits(sessions)) == 1
    assert notes(sandbox) == []
    assert sandbox.emulator.calls_to("chat.postEphemeral") == []


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        (
            SlackChannel(id="C0SECRET1", name="secret", is_private=True, members={ALICE, BOB}),
            "channel_not_found",
        ),
        (SlackChannel(id="C0OTHERS2", name="others", members={BOB}), "user_not_in_channel"),
    ],
)
def test_a_note_slack_refuses_leaves_the_credit_standing(
    sandbox: Sandbox, sessions: sessionmaker[Session], channel: SlackChannel, error: str
) -> None:
    sandbox.emulator.add_channel(channel)
    message = sandbox.emulator.post_user_message(channel.id, BOB, "The fix is merged")
    react(sandbox, ALICE, message)

    [credit] = credits(sessions)
    assert credit.channel_id == channel.id and credit.retracted_at is None
    [attempt] = sandbox.emulator.calls_to("chat.postEphemeral")
    assert attempt.error == error


def test_a_note_whose_answer_is_lost_leaves_the_credit_and_the_event_answered(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    # Slack takes the note and the connection breaks before its answer: the event still gets
    # its 200 (react checks it), the credit stands, and the note is not sent a second time.
    with answerless(sandbox.app) as slack:
        envelope = react(sandbox, ALICE, bobs_message)
        retried = sandbox.driver.send_event(envelope, retry_num=1)
    assert retried.status == 200
    assert [(c.helper_id, c.helped_id) for c in credits(sessions)] == [(BOB, ALICE)]
    assert slack.requests == 1


def test_the_workspace_chooses_its_credit_emoji(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    react(sandbox, ALICE, bobs_message, "pray")
    with sessions.begin() as session:
        session.execute(update(Workspace).values(credit_emoji=[":heart:", "Star"]))
    react(sandbox, CAROL, bobs_message, "pray")
    react(sandbox, DAVE, bobs_message, "heart::skin-tone-2")
    react(sandbox, CAROL, bobs_message, "star")
    assert [c.helped_id for c in credits(sessions)] == [ALICE, DAVE, CAROL]

    # pray no longer counts, but the thanks Alice gave with it can still be taken back.
    unreact(sandbox, ALICE, bobs_message, "pray")
    assert [c.retracted_at is None for c in credits(sessions)] == [False, True, True]


def test_a_credit_emoji_counts_under_any_of_its_names(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    # The picker offers :thumbsup: and :clapping_hands:, but Slack's events say +1 and clap.
    with sessions.begin() as session:
        session.execute(update(Workspace).values(credit_emoji=["thumbsup", "clapping_hands"]))
    react(sandbox, ALICE, bobs_message, "+1::skin-tone-4")
    react(sandbox, CAROL, bobs_message, "clap")
    react(sandbox, DAVE, bobs_message, "thumbsdown")
    assert [c.helped_id for c in credits(sessions)] == [ALICE, CAROL]
    assert len(notes(sandbox)) == 2

    unreact(sandbox, ALICE, bobs_message, "+1::skin-tone-4")
    assert [c.retracted_at is None for c in credits(sessions)] == [False, True]

    react(sandbox, ALICE, bobs_message, "thumbsup clapping_hands")  # no emoji has a space
    assert [c.retracted_at is None for c in credits(sessions)] == [False, True]


@pytest.fixture
def unsynced(sessions: sessionmaker[Session], clock: Clock) -> Iterator[Sandbox]:
    sandbox = Sandbox(sessions, clock, sync_members=False)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def test_unknown_people_are_looked_up_once_then_cached(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    first = unsynced.emulator.post_user_message(GENERAL, BOB, "first tip")
    second = unsynced.emulator.post_user_message(GENERAL, BOB, "second tip")
    react(unsynced, ALICE, first)
    lookups = unsynced.emulator.calls_to("users.info")
    assert sorted(call.args["user"] for call in lookups) == [ALICE, BOB]

    react(unsynced, ALICE, second)
    assert len(unsynced.emulator.calls_to("users.info")) == 2
    assert len(credits(sessions)) == 2


def test_someone_from_another_workspace_is_ignored(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    unsynced.emulator.add_user(SlackUser(id="U0GUEST77", team_id="T0OTHER00", name="guest"))
    message = unsynced.emulator.post_user_message(GENERAL, "U0GUEST77", "Hello from outside")
    react(unsynced, ALICE, message)
    assert credits(sessions) == []
    assert notes(unsynced) == []


def test_base_emoji_drops_skin_tones_and_colons() -> None:
    assert base_emoji("raised_hands::skin-tone-3") == "raised_hands"
    assert base_emoji(":Pray:") == "pray"
    assert base_emoji("+1") == "+1"


def test_reaction_from_event_needs_a_message_with_an_author() -> None:
    event = {
        "type": "reaction_added",
        "user": ALICE,
        "reaction": "pray",
        "item_user": BOB,
        "item": {"type": "message", "channel": GENERAL, "ts": "1.000001"},
    }
    reaction = reaction_from_event(TEAM, "Ev1", event)
    assert reaction is not None
    assert (reaction.reactor_id, reaction.author_id, reaction.message_ts) == (
        ALICE,
        BOB,
        "1.000001",
    )
    assert reaction_from_event(TEAM, "Ev1", {**event, "item_user": ALICE}) is None
    assert reaction_from_event(TEAM, "Ev1", {**event, "item": {"type": "file"}}) is None
    assert reaction_from_event(TEAM, "Ev1", {**event, "reaction": None}) is None
    assert reaction_from_event(TEAM, "Ev1", {"type": "reaction_added"}) is None
