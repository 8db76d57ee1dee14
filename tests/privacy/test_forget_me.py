"""`/favor forget-me`: a confirmed click removes a person's words and profile, and leaves their
ledger rows under a pseudonym so that everyone else's balances still add up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import SANDBOX_PSEUDONYM_KEY
from bot.ledger.credits import reason_key
from bot.members.cache import member_row
from bot.models import Base, Credit, FavorRequest, FavorResponse, Member, OutboxMessage
from bot.models.people import FORMER_MEMBER
from bot.privacy.forgotten import NEVER_SYNCED, mask_forgotten, pseudonym
from bot.sandbox.harness import Sandbox
from bot.slack.api import sync_workspace
from bot.slack.app import make_client
from bot.slack.ids import (
    ASK_VOLUNTEER,
    FORGET_ME_CANCEL,
    FORGET_ME_CONFIRM,
    OFFER_CONFIRM,
    OFFER_TAKE,
)
from slack_emulator import Message
from tests.asks.forms import close
from tests.support import Clock

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
GENERAL = "C0GENERAL"
OTHERS = (ALICE, CAROL, DAVE, ERIN)
# HMAC-SHA256 of "T0SANDBOX:U0BOB0002" under the sandbox key, base32: pinned, because a
# pseudonym must stay the same from one release to the next.
ALIAS = "UFORGOTTENV2OEEMHMYLJAHF4G"
# Words Bob wrote, and his profile: none may be left anywhere once he is forgotten.
BOBS_WORDS = ("pairing on the flaky test", "fixed my laptop", "moving my desk")
BOBS_PROFILE = ("Bob Baptiste", "America/New_York")
T = TypeVar("T")


def wait_for(found: Callable[[], T], timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError("timed out")


def slash(sandbox: Sandbox, user: str, command: str, text: str) -> Message | None:
    delivery, shown = sandbox.driver.slash_command(user, command, text, GENERAL)
    assert delivery.status == 200, delivery.body
    return shown


def post(sandbox: Sandbox, user: str, text: str) -> Message:
    """`/favor ask …` or `/favor offer …`: the message posted in #general."""
    slash(sandbox, user, "/favor", text)
    return sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]


def click(sandbox: Sandbox, user: str, message: Message, action_id: str, **kw: Any) -> None:
    assert sandbox.driver.click(user, message, action_id, **kw).status == 200


def now(sandbox: Sandbox, message: Message) -> Message:
    [current] = [m for m in sandbox.emulator.messages(message.channel) if m.ts == message.ts]
    return current


def notes(sandbox: Sandbox, user: str) -> list[str]:
    return [
        m.text
        for m in sandbox.emulator.messages(ephemeral=True)
        if m.ephemeral_for == user and m.source == "response_url"
    ]


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def ask_to_forget(sandbox: Sandbox, user: str = BOB) -> Message:
    shown = slash(sandbox, user, "/favor", "forget-me")
    assert shown is not None and shown.ephemeral_for == user
    return shown


def everything(sessions: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare or to search."""
    with sessions() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(table.select())), key=str)
            for table in Base.metadata.sorted_tables
        }


def totals(sessions: sessionmaker[Session]) -> dict[str, tuple[int, int]]:
    """Per person: the weight of the help they gave and received (retracted help aside)."""
    with sessions() as session:
        rows = session.execute(
            select(Credit.helper_id, Credit.helped_id, Credit.weight).where(
                Credit.retracted_at.is_(None)
            )
        ).all()
    result: dict[str, tuple[int, int]] = {}
    for helper, helped, weight in rows:
        given, received = result.get(helper, (0, 0))
        result[helper] = (given + weight, received)
        given, received = result.get(helped, (0, 0))
        result[helped] = (given, received + weight)
    return result


def add_outbox(sessions: sessionmaker[Session], clock: Clock) -> None:
    """A prompt about to go to Bob, a nudge sent to Carol about him, and two sent digests."""
    base = {"team_id": TEAM, "due_at": clock.now, "expires_at": clock.now + timedelta(days=1)}
    with sessions.begin() as session:
        session.add_all(
            [
                OutboxMessage(
                    **base,
                    dedupe_key=f"prompt:{TEAM}:{BOB}:2026-W48",
                    kind="prompt",
                    channel_id=BOB,
                    recipient_id=BOB,
                    payload={"text": "Who helped you this week?"},
                ),
                OutboxMessage(
                    **base,
                    dedupe_key=f"nudge:{TEAM}:{CAROL}:{BOB}:2026-W47",
                    kind="nudge",
                    channel_id=CAROL,
                    recipient_id=CAROL,
                    about_user_id=BOB,
                    payload={"text": f"<@{BOB}> has helped you a lot lately"},
                    status="sent",
                    slack_channel_id=f"D{CAROL}",
                    slack_ts="1790000000.000100",
                ),
                OutboxMessage(
                    **base,
                    dedupe_key=f"digest:{TEAM}:{GENERAL}:2026-W47",
                    kind="digest",
                    channel_id=GENERAL,
                    payload={
                        "text": "Bob Baptiste helped Alice Andersen",
                        "meta": {"highlighted": [BOB, ALICE]},
                    },
                    status="sent",
                ),
                OutboxMessage(
                    **base,
                    dedupe_key=f"digest:{TEAM}:{GENERAL}:2026-W46",
                    kind="digest",
                    channel_id=GENERAL,
                    payload={"text": "Carol helped Dave", "meta": {"highlighted": [CAROL]}},
                    status="sent",
                ),
            ]
        )


def busy_week(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> dict[str, Message]:
    """Bob in every part of Goodwill: thanked, thanking, asking, answering, reacted to."""
    slash(sandbox, ALICE, "/thanks", f"<@{BOB}> for the careful review")
    slash(sandbox, BOB, "/thanks", f"<@{CAROL}> for pairing on the flaky test")
    slash(sandbox, CAROL, "/thanks", f"<@{DAVE}> for covering the on-call with <@{BOB}|bob>")
    sandbox.settle()  # the three celebrations posted, and kept
    slash(sandbox, BOB, "/favor", f"<@{CAROL}> fixed my laptop big")
    bobs_ask = post(sandbox, BOB, "ask a hand moving my desk")
    click(sandbox, CAROL, bobs_ask, ASK_VOLUNTEER)
    [bob_dm] = sandbox.emulator.messages(f"D{BOB}")
    daves_ask = post(sandbox, DAVE, "ask someone to water the plants")
    click(sandbox, BOB, daves_ask, ASK_VOLUNTEER)
    [dave_dm] = sandbox.emulator.messages(f"D{DAVE}")
    erins_offer = post(sandbox, ERIN, "offer a spare monitor")
    click(sandbox, BOB, erins_offer, OFFER_TAKE)
    [erin_dm] = sandbox.emulator.messages(f"D{ERIN}")
    close(sandbox, ERIN, erin_dm, OFFER_CONFIRM)  # the Confirm form, sent as it opens
    bobs_message = sandbox.emulator.post_user_message(GENERAL, BOB, "I wrote the deploy doc")
    reaction = {
        "type": "reaction_added",
        "user": CAROL,
        "reaction": "pray",
        "item_user": BOB,
        "item": {"type": "message", "channel": GENERAL, "ts": bobs_message.ts},
        "event_ts": "1764000000.000100",
    }
    assert sandbox.driver.send_event(sandbox.driver.event_envelope(reaction)).status == 200
    assert sandbox.driver.open_home(BOB, "home").status == 200  # his channels, remembered
    add_outbox(sessions, clock)
    return {"bobs_ask": bobs_ask, "dave_dm": dave_dm, "bob_dm": bob_dm}


def test_forgetting_removes_their_words_and_profile_and_keeps_everyone_elses_balances(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seen = busy_week(sandbox, sessions, clock)
    before = totals(sessions)
    carols_balance = slash(sandbox, CAROL, "/favor", "balance")
    assert carols_balance is not None and BOB in str(carols_balance.blocks)

    question = ask_to_forget(sandbox)
    click(sandbox, BOB, question, FORGET_ME_CONFIRM)

    done = now(sandbox, question)
    assert buttons(done) == []
    assert done.text == (
        ":wastebasket: Done. Goodwill has forgotten you:\n"
        "• removed the reasons on 4 entries\n"
        "• removed your names and time zone, and turned off nudges, weekly prompts, digest "
        "mentions and reaction confirmations\n"
        "• removed what you wrote in 1 ask or offer (1 still open, now withdrawn)\n"
        "• replaced 1 mention of you in other people's words with “someone”\n"
        "• cleared 2 answers you gave to asks and offers, 1 record of a reaction and 3 "
        "scheduled messages to or about you\n"
        "• 5 entries now show a forgotten member instead of you, so your colleagues' balances "
        "still add up"
    )

    # Nothing Bob wrote, and nothing of his profile, is left in any table; his ID only in the
    # members row that keeps him forgotten.
    rows = everything(sessions)
    for table, content in rows.items():
        for words in (*BOBS_WORDS, *BOBS_PROFILE, "careful review"):
            assert words not in str(content), (table, words)
        if table != "members":
            assert BOB not in str(content), table
    # Everyone else's help adds up as before; Bob's is the pseudonym's now.
    after = totals(sessions)
    assert {p: after[p] for p in OTHERS} == {p: before[p] for p in OTHERS}
    assert after[ALIAS] == before[BOB] and BOB not in after
    carol_now = slash(sandbox, CAROL, "/favor", "balance")
    assert carol_now is not None
    # He is named as a former member, never by the pseudonym Slack would show raw.
    assert str(carol_now.blocks) == str(carols_balance.blocks).replace(f"<@{BOB}>", FORMER_MEMBER)
    assert ALIAS not in str(carol_now.blocks)

    # Goodwill's own messages with his words or his pending answer are cleared.
    bobs_ask, bob_dm, dave_dm = (
        wait_for(lambda m=seen[name]: edited(sandbox, m))
        for name in ("bobs_ask", "bob_dm", "dave_dm")
    )
    assert bobs_ask.text == bob_dm.text == ":leaves: This ask was removed at its author's request."
    assert dave_dm.text == "This answer was withdrawn, so there's nothing to do here."
    assert buttons(bobs_ask) == buttons(bob_dm) == buttons(dave_dm) == []


def edited(sandbox: Sandbox, message: Message) -> Message | None:
    current = now(sandbox, message)
    return current if current.edited else None


def test_what_is_left_of_a_forgotten_member(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    busy_week(sandbox, sessions, clock)

    click(sandbox, BOB, ask_to_forget(sandbox), FORGET_ME_CONFIRM)

    with sessions() as session:
        bob = session.get(Member, (TEAM, BOB))
        alias = session.get(Member, (TEAM, ALIAS))
        credits = list(session.scalars(select(Credit).order_by(Credit.id)))
        requests = list(session.scalars(select(FavorRequest).order_by(FavorRequest.id)))
        answers = list(session.scalars(select(FavorResponse)))
        outbox = {
            m.kind + ":" + (m.recipient_id or "-"): m
            for m in session.scalars(select(OutboxMessage))
        }
    assert bob is not None and alias is not None
    assert (bob.name, bob.real_name, bob.display_name, bob.tz) == ("", "", "", "UTC")
    assert bob.synced_at == NEVER_SYNCED
    assert (bob.nudges_opt_out, bob.prompts_opt_out, bob.digest_mentions_opt_out) == (True,) * 3
    assert bob.reaction_confirmations_off and bob.can_receive_credit
    assert (alias.label, alias.is_deactivated, alias.can_receive_credit) == (
        FORMER_MEMBER,
        True,
        False,
    )
    assert [(c.helper_id, c.helped_id, c.kind, c.weight, c.reason) for c in credits] == [
        (ALIAS, ALICE, "thanks", 1, None),
        (CAROL, ALIAS, "thanks", 1, None),
        (DAVE, CAROL, "thanks", 1, "for covering the on-call with someone"),
        (CAROL, ALIAS, "favor", 3, None),
        (ERIN, ALIAS, "favor", 1, None),
        (ALIAS, CAROL, "reaction", 1, None),
    ]
    for credit in credits:
        # The words' key follows the words: gone with them, or as they now read.
        assert credit.reason_key == reason_key(credit.reason)
        if ALIAS in (credit.helper_id, credit.helped_id):
            assert credit.source_key == f"forgotten:{credit.id}"
            assert (credit.channel_id, credit.message_ts) == (None, None)
    assert [(r.author_id, r.text, r.status, r.counterpart_id) for r in requests] == [
        (ALIAS, "", "withdrawn", None),
        (DAVE, "someone to water the plants", "open", None),
        (ERIN, "a spare monitor", "fulfilled", ALIAS),
    ]
    assert requests[0].closed_at == clock.now and requests[0].message_ts is None
    # Carol's answer to Bob's ask stays, without the DM to Bob it was told in; Bob's answer
    # to Dave's open ask is withdrawn, and his answer to Erin's offer is the pseudonym's.
    assert sorted((a.request_id, a.user_id, a.dm_channel_id, a.dm_ts) for a in answers) == [
        (requests[0].id, CAROL, None, None),
        (requests[2].id, ALIAS, None, None),
    ]
    prompt, nudge = outbox[f"prompt:{ALIAS}"], outbox[f"nudge:{CAROL}"]
    assert (prompt.status, prompt.payload, prompt.channel_id) == ("expired", {}, ALIAS)
    assert prompt.dedupe_key == f"forgotten:{prompt.id}"
    assert (nudge.status, nudge.about_user_id, nudge.payload) == ("sent", ALIAS, {})
    assert (nudge.slack_channel_id, nudge.slack_ts) == (None, None)
    with sessions() as session:
        digests = sorted(
            (d.dedupe_key, d.payload)
            for d in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
        )
    assert digests == [
        (
            f"digest:{TEAM}:{GENERAL}:2026-W46",
            {"text": "Carol helped Dave", "meta": {"highlighted": [CAROL]}},
        ),
        (f"digest:{TEAM}:{GENERAL}:2026-W47", {"meta": {"highlighted": [ALIAS, ALICE]}}),
    ]


def test_a_second_click_is_harmless(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    busy_week(sandbox, sessions, clock)
    question = ask_to_forget(sandbox)
    click_payload = sandbox.driver.block_action_payload(BOB, question, FORGET_ME_CONFIRM)

    assert sandbox.driver.send_interaction(click_payload).status == 200
    forgotten = everything(sessions)
    summary = now(sandbox, question).text
    assert sandbox.driver.send_interaction(click_payload).status == 200

    assert everything(sessions) == forgotten
    assert now(sandbox, question).text == summary  # the summary stays
    assert notes(sandbox, BOB)[-1] == (
        "There was nothing left to remove: Goodwill has already forgotten you. Anything "
        "recorded from now on can be removed the same way."
    )


def test_two_clicks_at_once_forget_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    busy_week(sandbox, sessions, clock)
    before = totals(sessions)
    question = ask_to_forget(sandbox)
    payloads = [sandbox.driver.block_action_payload(BOB, question, FORGET_ME_CONFIRM)] * 2
    start = threading.Barrier(2)
    statuses: list[int] = []

    def deliver(payload: dict[str, Any]) -> None:
        start.wait()
        statuses.append(sandbox.driver.send_interaction(payload).status)

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    assert now(sandbox, question).text.startswith(
        ":wastebasket: Done. Goodwill has forgotten you:\n• removed the reasons on 4 entries\n"
    )
    assert notes(sandbox, BOB)[-1].startswith("There was nothing left to remove")
    after = totals(sessions)
    assert after[ALIAS] == before[BOB] and BOB not in after


def test_only_the_person_can_click_their_button(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    busy_week(sandbox, sessions, clock)
    question = ask_to_forget(sandbox)
    untouched = everything(sessions)
    carol_before, bob_before = len(notes(sandbox, CAROL)), len(notes(sandbox, BOB))

    click(sandbox, CAROL, question, FORGET_ME_CONFIRM)
    click(sandbox, CAROL, question, FORGET_ME_CANCEL)
    click(sandbox, BOB, question, FORGET_ME_CONFIRM, value="not-a-user")

    assert everything(sessions) == untouched
    assert notes(sandbox, CAROL)[carol_before:] == [
        f"That button is for <@{BOB}>: only they can ask to be forgotten. To be forgotten "
        "yourself, type `/favor forget-me`.",
        "That button is for someone else, so nothing was changed.",
    ]
    assert notes(sandbox, BOB)[bob_before:] == ["That button no longer works. Nothing was changed."]
    assert buttons(now(sandbox, question)) == [FORGET_ME_CONFIRM, FORGET_ME_CANCEL]


def test_the_question_asks_twice_and_cancel_removes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    busy_week(sandbox, sessions, clock)
    untouched = everything(sessions)

    question = ask_to_forget(sandbox)

    assert "This can't be undone." in question.blocks[0]["text"]["text"]
    forget, cancel = question.blocks[1]["elements"]
    assert (forget["action_id"], forget["style"], forget["value"]) == (
        FORGET_ME_CONFIRM,
        "danger",
        BOB,
    )
    assert forget["confirm"]["style"] == "danger"
    assert forget["confirm"]["confirm"]["text"] == "Forget me"
    assert (cancel["action_id"], cancel["value"]) == (FORGET_ME_CANCEL, BOB)

    click(sandbox, BOB, question, FORGET_ME_CANCEL)

    cancelled = now(sandbox, question)
    assert cancelled.text == (
        "Nothing was removed. If you change your mind, type `/favor forget-me` again."
    )
    assert buttons(cancelled) == []
    assert everything(sessions) == untouched


def test_forget_me_takes_nothing_after_it(sandbox: Sandbox) -> None:
    shown = slash(sandbox, BOB, "/favor", "forget-me now")
    assert shown is not None and shown.text.startswith("`/favor forget-me` takes nothing after it.")


def test_new_activity_is_forgotten_under_the_same_pseudonym(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    slash(sandbox, ALICE, "/thanks", f"<@{BOB}> for the careful review")
    click(sandbox, BOB, ask_to_forget(sandbox), FORGET_ME_CONFIRM)
    clock.advance(days=1)
    slash(sandbox, CAROL, "/thanks", f"<@{BOB}> for the standup notes")

    question = ask_to_forget(sandbox)
    click(sandbox, BOB, question, FORGET_ME_CONFIRM)

    assert now(sandbox, question).text.startswith(
        ":wastebasket: Done. Goodwill has forgotten you:\n• removed the reasons on 1 entry\n"
    )
    assert [(helper, helped) for helper, helped, _ in _pairs(sessions)] == [
        (ALIAS, ALICE),
        (ALIAS, CAROL),
    ]


def _pairs(sessions: sessionmaker[Session]) -> list[tuple[str, str, str | None]]:
    with sessions() as session:
        return [
            (c.helper_id, c.helped_id, c.reason)
            for c in session.scalars(select(Credit).order_by(Credit.id))
        ]


def test_the_export_shows_a_forgotten_member(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    slash(sandbox, ALICE, "/thanks", f"<@{BOB}> for the careful review")
    click(sandbox, BOB, ask_to_forget(sandbox), FORGET_ME_CONFIRM)

    slash(sandbox, ALICE, "/favor", "export")
    [file] = wait_for(lambda: sandbox.emulator.uploaded_files)

    _, row = file.content.decode("utf-8-sig").splitlines()
    assert row.split(",")[1:7] == [ALIAS, FORMER_MEMBER, ALICE, "alice", "thanks", "1"]
    assert "careful review" not in file.text and BOB not in file.text


def test_pseudonyms_differ_by_workspace_and_key() -> None:
    assert pseudonym(SANDBOX_PSEUDONYM_KEY, TEAM, BOB) == ALIAS
    others = {
        pseudonym(SANDBOX_PSEUDONYM_KEY, "T0ELSEWHERE", BOB),
        pseudonym(b"another deployment's key", TEAM, BOB),
        pseudonym(SANDBOX_PSEUDONYM_KEY, TEAM, CAROL),
    }
    assert len(others) == 3 and ALIAS not in others
    assert all(p.startswith("UFORGOTTEN") and len(p) == 26 for p in others)


def test_syncing_members_keeps_a_forgotten_profile_empty(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    """What `save_members` must do with its rows: `mask_forgotten` keeps the names out."""
    click(sandbox, BOB, ask_to_forget(sandbox), FORGET_ME_CONFIRM)
    slack_users = [sandbox.emulator.users[BOB].to_slack(), sandbox.emulator.users[CAROL].to_slack()]
    slack_users[0]["is_admin"] = True

    with sessions() as session:
        rows = mask_forgotten(session, TEAM, [member_row(TEAM, u, clock.now) for u in slack_users])

    bob, carol = rows
    assert (bob["name"], bob["real_name"], bob["display_name"], bob["tz"]) == ("", "", "", "UTC")
    assert bob["synced_at"] == NEVER_SYNCED and bob["is_admin"] is True
    assert (carol["name"], carol["tz"], carol["synced_at"]) == (
        "carol",
        "Asia/Singapore",
        clock.now,
    )


def test_a_sync_from_slack_does_not_bring_a_forgotten_profile_back(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    click(sandbox, BOB, ask_to_forget(sandbox), FORGET_ME_CONFIRM)

    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    sync_workspace(client, sessions, clock)

    with sessions() as session:
        bob = session.get(Member, (TEAM, BOB))
    assert bob is not None
    assert (bob.name, bob.real_name, bob.display_name, bob.tz) == ("", "", "", "UTC")
