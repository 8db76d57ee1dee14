"""The weekly "Who helped you this week?" DM: at each member's own local hour, once a week."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.members.cache import save_members
from bot.models import Credit, Member, OutboxMessage, Workspace
from bot.prompts.answers import PUBLIC
from bot.prompts.blocks import QUESTION
from bot.prompts.modal import (
    CATCHING_UP,
    HOW,
    NOBODY,
    PEOPLE,
    WHAT,
    how_block,
    what_block,
)
from bot.prompts.plan import PLAN_BATCH, PROMPT_GRACE, plan_prompts
from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import Delivery
from bot.scheduler.tick import run_tick
from bot.slack.ids import PROMPT_MODAL, PROMPT_PICK, PROMPT_RESUME, PROMPT_STOP
from slack_emulator import Message, SlackChannel, SlackUser
from tests.rhythm import TEAM, configure, credit, outbox
from tests.support import Clock, answerless, out_of_reach

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
DEPLOYBOT, FRANK, GOODWILL = "U0DEPLOY9", "U0FRANK06", "U0GOODWILL"
# Friday 4 December 2026 (ISO week 49), midnight UTC.
FRIDAY = datetime(2026, 12, 4, tzinfo=UTC)


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    return FRIDAY + timedelta(days=days, hours=hour, minutes=minute)


# 15:00 on Friday in each seeded person's time zone, in UTC.
LOCAL_15 = {
    CAROL: at(7),  # Asia/Singapore, UTC+8
    DAVE: at(13),  # Africa/Johannesburg, UTC+2
    ALICE: at(14),  # Europe/Oslo, UTC+1 in winter
    BOB: at(20),  # America/New_York, UTC-5
    ERIN: at(23),  # America/Los_Angeles, UTC-8
}


def prompts_to(sandbox: Sandbox, user_id: str) -> list[Message]:
    return [m for m in sandbox.emulator.messages(f"D{user_id}") if m.text == QUESTION]


def prompted(sandbox: Sandbox, when: datetime) -> set[str]:
    """Run a tick and the sender at `when`; return whom a prompt was sent to."""
    _, sent = sandbox.tick(when)
    assert sent.failed == 0 and sent.uncertain == 0
    calls = sandbox.emulator.calls_to("chat.postMessage")[-sent.sent :] if sent.sent else []
    # Only prompts: the same tick may send other things (a digest, a nudge).
    return {str(call.args["channel"]) for call in calls if call.args.get("text") == QUESTION}


def test_each_member_is_prompted_at_their_own_local_hour_once_a_week(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    expected = {
        at(6, 59): set(),
        at(7): {CAROL},
        at(7, 1): set(),
        at(12, 59): set(),
        at(13): {DAVE},
        at(14): {ALICE},
        at(16): set(),
        at(20): {BOB},
        at(22, 30): set(),
        at(23): {ERIN},
        at(23, 59): set(),
        at(12, days=1): set(),
        at(15, days=3): set(),
    }
    for when, people in expected.items():
        assert prompted(sandbox, when) == people, when

    rows = outbox(sessions, "prompt")
    assert {row.recipient_id: row.due_at for row in rows} == LOCAL_15
    for row in rows:
        assert row.dedupe_key == f"prompt:{TEAM}:{row.recipient_id}:2026-W49"
        assert row.channel_id == row.recipient_id
        assert row.expires_at == row.due_at + PROMPT_GRACE
        assert row.status == "sent" and row.slack_ts
    for user_id in LOCAL_15:
        [prompt] = prompts_to(sandbox, user_id)
        assert PROMPT_PICK in str(prompt.blocks) and PROMPT_STOP in str(prompt.blocks)

    # The next week, everyone again, once.
    for user_id, when in LOCAL_15.items():
        assert prompted(sandbox, when + timedelta(days=7)) == {user_id}
        assert prompted(sandbox, when + timedelta(days=7, minutes=30)) == set()
    assert {len(prompts_to(sandbox, u)) for u in LOCAL_15} == {2}
    assert len(outbox(sessions, "prompt")) == 10


def test_no_prompt_for_opted_out_deactivated_or_bot_members(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        carol = session.get(Member, (TEAM, CAROL))
        assert carol is not None
        carol.prompts_opt_out = True
    for when in sorted(LOCAL_15.values()):
        prompted(sandbox, when)
    # The bots and the former member are members too, in London: 15:00 there is 15:00 UTC.
    prompted(sandbox, at(15))

    recipients = {row.recipient_id for row in outbox(sessions, "prompt")}
    assert recipients == {ALICE, BOB, DAVE, ERIN}
    for user_id in (CAROL, DEPLOYBOT, FRANK, GOODWILL):
        assert prompts_to(sandbox, user_id) == []


def test_a_prompt_missed_by_downtime_catches_up_within_its_grace_and_not_after(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Down since Friday morning; back at 17:00 UTC: Alice's 14:00 is 3 hours ago, Dave's
    # 13:00 exactly the grace ago, Carol's 07:00 long past.
    assert prompted(sandbox, at(17)) == {ALICE}
    assert prompted(sandbox, at(17, 59)) == set()
    assert prompted(sandbox, at(20, 30)) == {BOB}
    # Down over the weekend: Erin's Friday prompt is not sent on Monday.
    assert prompted(sandbox, at(9, days=3)) == set()
    assert {row.recipient_id for row in outbox(sessions, "prompt")} == {ALICE, BOB}


def test_a_planned_prompt_not_sent_within_its_grace_expires(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    run_tick(sessions, at(14))  # planned, Dave's and Alice's, but the sender was down
    assert {row.recipient_id: row.status for row in outbox(sessions, "prompt")} == {
        DAVE: "pending",
        ALICE: "pending",
    }

    assert prompted(sandbox, at(18)) == set()
    assert {row.status for row in outbox(sessions, "prompt")} == {"expired"}
    assert prompts_to(sandbox, ALICE) == prompts_to(sandbox, DAVE) == []


def test_the_prompt_day_and_hour_are_workspace_settings(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    configure(sessions, prompt_weekday=0, prompt_hour=9)
    assert prompted(sandbox, at(14)) == set()  # no longer Friday
    # Monday 7 December, 09:00 in Singapore, Johannesburg, then Oslo.
    assert prompted(sandbox, at(1, days=3)) == {CAROL}
    assert prompted(sandbox, at(7, days=3)) == {DAVE}
    assert prompted(sandbox, at(7, 59, days=3)) == set()
    assert prompted(sandbox, at(8, days=3)) == {ALICE}
    keys = {row.dedupe_key for row in outbox(sessions, "prompt")}
    assert keys == {f"prompt:{TEAM}:{user_id}:2026-W50" for user_id in (CAROL, DAVE, ALICE)}


@pytest.fixture
def crowd(sandbox: Sandbox, sessions: sessionmaker[Session]) -> dict[str, list[str]]:
    """2,400 more members spread over three time zones (and one zone Slack might not send)."""
    zones = {"Europe/Oslo": 1500, "Asia/Tokyo": 600, "Not/AZone": 300}
    members: dict[str, list[str]] = {}
    number = 0
    for tz, size in zones.items():
        ids = [f"U9{(number := number + 1):08d}" for _ in range(size)]
        members[tz] = ids
        users = [{"id": user_id, "name": user_id.lower(), "tz": tz} for user_id in ids]
        for start in range(0, len(users), 500):
            with sessions.begin() as session:
                save_members(session, TEAM, users[start : start + 500], FRIDAY)
    return members


def test_a_large_workspace_is_planned_in_batches_with_a_few_queries(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    engine: Engine,
    crowd: dict[str, list[str]],
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    def plan_now(now: datetime) -> int:
        with sessions.begin() as session:
            workspace = session.get(Workspace, TEAM)
            assert workspace is not None
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            try:
                planned = plan_prompts(session, workspace, now)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            return len(planned)

    # Nobody is due on Thursday: one query, grouping members by time zone.
    assert plan_now(at(14, days=-1)) == 0
    assert len(statements) == 1 and "GROUP BY" in statements[0]

    # Friday 15:00 in Oslo: 1,501 people (Alice and the crowd), and Dave, whose hour was an
    # hour ago in Johannesburg, are planned in batches, one tick each.
    due = {*crowd["Europe/Oslo"], ALICE, DAVE}
    ticks = [run_tick(sessions, at(14, minute)).planned for minute in range(3)]
    assert ticks == [PLAN_BATCH, len(due) - PLAN_BATCH, 0]
    assert {row.recipient_id for row in outbox(sessions, "prompt")} == due

    # Every later tick in the grace: a zones query and one for the unplanned, both cheap.
    assert plan_now(at(14, 30)) == 0
    assert len(statements) == 2 and "NOT (EXISTS" in statements[1]

    # Zones Slack sent but this system does not know count as UTC.
    assert plan_now(at(15, 30)) == len(crowd["Not/AZone"])
    with sessions() as session:
        keys = set(session.scalars(select(OutboxMessage.dedupe_key)))
    assert f"prompt:{TEAM}:{crowd['Europe/Oslo'][0]}:2026-W49" in keys


# The whole flow through the emulator: the DM, the picker, the form, the ledger.

GENERAL = "C0GENERAL"


def prompt_for(sandbox: Sandbox, clock: Clock, user_id: str = ALICE) -> Message:
    """Send `user_id` this week's prompt, as the scheduler does, and return it."""
    clock.now = LOCAL_15[user_id]
    assert prompted(sandbox, clock.now) >= {user_id}
    [prompt] = prompts_to(sandbox, user_id)
    return prompt


def pick(sandbox: Sandbox, prompt: Message, picked: list[str], user_id: str = ALICE) -> Delivery:
    delivery = sandbox.driver.click(user_id, prompt, PROMPT_PICK, selected=picked)
    assert delivery.status == 200, delivery.body
    return delivery


def open_form(sandbox: Sandbox, prompt: Message, picked: list[str]) -> dict[str, Any]:
    pick(sandbox, prompt, picked)
    [view] = sandbox.emulator.open_views.values()
    assert sandbox.emulator.view_owner(view["id"]) == ALICE
    assert view["callback_id"] == PROMPT_MODAL
    return view


def answers(by_person: dict[str, tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Slack's state for the form: {user_id: (what they did, how to thank them)}."""
    state: dict[str, dict[str, Any]] = {}
    for user_id, (what, how) in by_person.items():
        option = {"text": {"type": "plain_text", "text": how}, "value": how}
        state[what_block(user_id)] = {WHAT: {"type": "plain_text_input", "value": what}}
        state[how_block(user_id)] = {HOW: {"type": "radio_buttons", "selected_option": option}}
    return state


def submit(
    sandbox: Sandbox, view: dict[str, Any], values: dict[str, Any], user_id: str = ALICE
) -> dict[str, Any]:
    delivery = sandbox.driver.submit_view(user_id, view, values)
    assert delivery.status == 200, delivery.body
    answer: dict[str, Any] = delivery.json()
    return answer


def credits(sessions: sessionmaker[Session]) -> list[tuple[str, str, str, int, str | None]]:
    with sessions() as session:
        rows = session.scalars(select(Credit).order_by(Credit.id))
        return [(c.helper_id, c.helped_id, c.kind, c.weight, c.reason) for c in rows]


def quotable(sessions: sessionmaker[Session]) -> list[bool | None]:
    """Whether the digest may quote each credit's reason, in order."""
    with sessions() as session:
        return list(session.scalars(select(Credit.quotable).order_by(Credit.id)))


def field_labels(view: dict[str, Any]) -> list[str]:
    """The labels of the fields about each person (the picker's comes first)."""
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[0] == "Who helped you this week?"
    return labels[1:]


def pick_in_form(
    sandbox: Sandbox, view: dict[str, Any], picked: list[str], user_id: str = ALICE
) -> dict[str, Any]:
    """Change the selection in the form's own picker, as Slack reports it; return the form."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "sandbox"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A0GOODWILL",
        "token": "deprecated-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": sandbox.emulator.new_trigger_id(user_id),
        "view": view,
        "actions": [
            {
                "type": "multi_users_select",
                "action_id": PROMPT_PICK,
                "block_id": PEOPLE,
                "selected_users": picked,
                "action_ts": "1764856800.000100",
            }
        ],
    }
    delivery = sandbox.driver.send_interaction(payload)
    assert delivery.status == 200, delivery.body
    return sandbox.emulator.open_views[view["id"]]


def current(sandbox: Sandbox, message: Message) -> Message:
    """The message as it stands now (after any chat.update)."""
    [found] = [m for m in sandbox.emulator.messages(message.channel) if m.ts == message.ts]
    return found


def public_posts(sandbox: Sandbox) -> list[Message]:
    return sandbox.emulator.messages(GENERAL)


def test_picking_people_opens_a_form_and_saving_it_records_thanks_and_favours(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL])
    assert field_labels(view) == [
        "What did bob do?",
        "Thank bob publicly, or keep it private?",
        "What did carol do?",
        "Thank carol publicly, or keep it private?",
    ]
    assert f"celebrated in <#{GENERAL}>" in str(view["blocks"])
    assert credits(sessions) == []  # picking records nothing

    form = answers(
        {BOB: ("reviewed my pull request", PUBLIC), CAROL: ("took my on-call", "medium")}
    )
    assert submit(sandbox, view, form) == {}  # the form closes

    assert credits(sessions) == [
        (BOB, ALICE, "thanks", 1, "reviewed my pull request"),
        (CAROL, ALICE, "favor", 2, "took my on-call"),
    ]
    assert quotable(sessions) == [True, False]  # celebrated in the digest channel; private
    [celebration] = public_posts(sandbox)
    assert celebration.text.startswith(f":sparkles: <@{BOB}> — thank you from <@{ALICE}>!")
    assert "reviewed my pull request" in str(celebration.blocks)
    assert "on-call" not in str(celebration.blocks)  # the favour stays private
    assert sandbox.emulator.messages(f"D{CAROL}") == prompts_to(sandbox, CAROL)  # not told

    answered = current(sandbox, prompt)
    assert answered.text.startswith("Thanks for telling us — recorded:")
    assert f"thanks to <@{BOB}>, celebrated in <#{GENERAL}>" in str(answered.blocks)
    assert f"a medium favour from <@{CAROL}>, kept private" in str(answered.blocks)
    assert PROMPT_PICK not in str(answered.blocks)

    # Slack delivering the submission again, or a double click: recorded and said once.
    assert submit(sandbox, view, form) == {}
    assert len(credits(sessions)) == 2
    assert len(public_posts(sandbox)) == 1
    # Even with other choices, the same form counts once.
    assert (
        submit(sandbox, view, answers({BOB: ("reviewed", "big"), CAROL: ("on-call", PUBLIC)})) == {}
    )
    assert len(credits(sessions)) == 2
    assert len(public_posts(sandbox)) == 1


def test_several_public_thanks_are_celebrated_in_one_message(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL])
    submit(
        sandbox, view, answers({BOB: ("the review", PUBLIC), CAROL: ("the @channel fix", PUBLIC)})
    )

    [celebration] = public_posts(sandbox)
    assert f"<@{BOB}> and <@{CAROL}> — thank you from <@{ALICE}>!" in celebration.text
    assert "the review" in str(celebration.blocks)
    assert "<!channel>" not in str(celebration.blocks)
    assert [c[2] for c in credits(sessions)] == ["thanks", "thanks"]


def test_without_a_digest_channel_public_thanks_go_to_the_person(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    assert "sent to the person" in str(view["blocks"])
    assert submit(sandbox, view, answers({BOB: ("the review", PUBLIC)})) == {}

    assert credits(sessions) == [(BOB, ALICE, "thanks", 1, "the review")]
    assert quotable(sessions) == [False]  # said to Bob alone
    [dm] = sandbox.emulator.messages(f"D{BOB}")
    assert dm.text == f":sparkles: <@{ALICE}> thanked you for your help this week!"
    assert "the review" in str(dm.blocks)
    assert public_posts(sandbox) == []
    assert f"thanks to <@{BOB}>, sent to them" in str(current(sandbox, prompt).blocks)


def test_where_the_bot_cannot_post_the_thanks_go_to_the_person(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(id="C0SECRET1", name="secret", is_private=True, members={ALICE, BOB})
    )
    configure(sessions, digest_channel_id="C0SECRET1")
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    assert submit(sandbox, view, answers({BOB: ("the review", PUBLIC)})) == {}

    assert len(credits(sessions)) == 1
    assert sandbox.emulator.calls_to("chat.postMessage")[-2].error == "channel_not_found"
    [dm] = sandbox.emulator.messages(f"D{BOB}")
    assert "the review" in str(dm.blocks)
    assert f"thanks to <@{BOB}>, sent to them" in str(current(sandbox, prompt).blocks)


def test_slack_out_of_reach_once_the_answers_are_saved_is_no_error(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    out_of_reach(sandbox.app)
    assert submit(sandbox, view, answers({BOB: ("the review", PUBLIC)})) == {}

    assert credits(sessions) == [(BOB, ALICE, "thanks", 1, "the review")]
    # The celebration could not be posted: Bob is told directly, which fails too.
    assert f"could not send a DM to {BOB}" in caplog.text


def test_a_celebration_whose_answer_is_lost_is_not_sent_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    with answerless(sandbox.app) as slack:
        assert submit(sandbox, view, answers({BOB: ("the review", PUBLIC)})) == {}
    assert len(credits(sessions)) == 1
    # Posted once, no DM in its place; then the prompt's update (which may be repeated).
    assert [method for method in slack.methods if method != "chat.update"] == ["chat.postMessage"]


def test_yourself_bots_and_former_members_are_left_out_of_the_form(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [ALICE, DEPLOYBOT, BOB, FRANK, GOODWILL])

    assert field_labels(view) == ["What did bob do?", "Thank bob publicly, or keep it private?"]
    notes = str(view["blocks"])
    assert "You picked yourself" in notes
    assert "Deploy Bot is a bot" in notes and "Goodwill is a bot" in notes
    assert "Frank Fischer is no longer active in this workspace" in notes
    assert json.loads(view["private_metadata"])["people"] == [BOB]


def test_picking_only_people_who_cant_be_thanked_opens_a_form_with_nothing_to_save(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [ALICE, DEPLOYBOT])
    assert field_labels(view) == []
    answer = submit(sandbox, view, {})
    assert answer == {"response_action": "errors", "errors": {PEOPLE: NOBODY}}
    assert credits(sessions) == []


def test_the_form_takes_ten_people_and_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    # People who joined after the last sync: found with users.info when picked.
    newcomers = [f"U0NEW{n:04d}" for n in range(11)]
    for user_id in newcomers:
        sandbox.emulator.add_user(SlackUser(user_id, TEAM, user_id.lower(), user_id.title()))
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, *newcomers])

    people = json.loads(view["private_metadata"])["people"]
    assert people == [BOB, *newcomers[:9]]
    assert len(field_labels(view)) == 20
    assert "This form takes 10 people at a time, so the last 2 you picked aren't here" in str(
        view["blocks"]
    )
    with sessions() as session:
        assert session.get(Member, (TEAM, newcomers[0])) is not None


def test_clearing_the_selection_opens_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    assert pick(sandbox, prompt, []).body == ""
    assert sandbox.emulator.open_views == {}


def _pair_cap_reached(sessions: sessionmaker[Session], clock: Clock) -> None:
    configure(sessions, pair_daily_cap=1)
    credit(sessions, BOB, ALICE, clock.now - timedelta(hours=1), "the deploy")


def _same_reason_today(sessions: sessionmaker[Session], clock: Clock) -> None:
    credit(sessions, BOB, ALICE, clock.now - timedelta(hours=1), "The  Review")


def _bob_leaves(sessions: sessionmaker[Session], clock: Clock) -> None:
    with sessions.begin() as session:
        bob = session.get(Member, (TEAM, BOB))
        assert bob is not None
        bob.is_deactivated = True


def _nothing(sessions: sessionmaker[Session], clock: Clock) -> None:
    pass


@pytest.mark.parametrize("how", [PUBLIC, "big"])
@pytest.mark.parametrize(
    ("before", "what", "problem"),
    [
        (_nothing, "", "Say in a few words what they did"),
        (_nothing, "   \n ", "Say in a few words what they did"),
        (_nothing, "x" * 1001, "That's 1,001 characters; the limit is 1,000."),
        (_pair_cap_reached, "the review", "You've already credited them 1 time today"),
        (_same_reason_today, "the review", "You already credited them for that today."),
        (_bob_leaves, "the review", "bob is no longer active in this workspace"),
    ],
)
def test_every_refusal_shows_in_the_form_and_records_nothing(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    clock: Clock,
    before: Any,
    what: str,
    problem: str,
    how: str,
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL])
    before(sessions, clock)
    recorded = credits(sessions)

    answer = submit(sandbox, view, answers({BOB: (what, how), CAROL: ("the docs", PUBLIC)}))

    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [what_block(BOB)]
    assert answer["errors"][what_block(BOB)].startswith(problem)
    assert "<@" not in answer["errors"][what_block(BOB)]
    assert credits(sessions) == recorded  # Carol's answer was fine, and is not recorded either
    assert public_posts(sandbox) == []
    assert current(sandbox, prompt).blocks == prompt.blocks


def test_every_refused_person_is_shown_at_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL, DAVE])
    answer = submit(
        sandbox,
        view,
        answers({BOB: ("", PUBLIC), CAROL: ("the docs", "small"), DAVE: (" ", "big")}),
    )
    assert set(answer["errors"]) == {what_block(BOB), what_block(DAVE)}
    assert credits(sessions) == []


@pytest.mark.parametrize(
    ("person", "problem"),
    [
        (ALICE, "You can't thank yourself here."),
        (DEPLOYBOT, "Deploy Bot is a bot, and bots don't need thanks."),
        (GOODWILL, "Goodwill is a bot, and bots don't need thanks."),
        ("U0NOBODY9", "I couldn't find this person in the workspace."),
    ],
)
def test_a_form_altered_to_credit_someone_it_may_not_is_refused(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, person: str, problem: str
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    metadata = json.loads(view["private_metadata"])
    altered = {**view, "private_metadata": json.dumps({**metadata, "people": [person]})}

    answer = submit(sandbox, altered, answers({person: ("the review", PUBLIC)}))
    assert answer["response_action"] == "errors"
    assert answer["errors"][what_block(person)].startswith(problem)
    assert credits(sessions) == []


@pytest.mark.parametrize(
    "metadata", ["", "not json", "[]", '{"user_id": "U0ALICE01"}', '{"people": ["<!channel>"]}']
)
def test_a_form_that_cant_be_read_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, metadata: str
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    answer = submit(
        sandbox, {**view, "private_metadata": metadata}, answers({BOB: ("the review", PUBLIC)})
    )
    assert answer["response_action"] == "update"
    assert "nothing was recorded" in str(answer["view"]["blocks"])
    assert credits(sessions) == []


def test_someone_elses_prompt_cant_be_used(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)

    pick(sandbox, prompt, [CAROL], user_id=BOB)
    assert sandbox.emulator.open_views == {}
    [note] = sandbox.emulator.messages(prompt.channel, ephemeral=True)
    assert note.ephemeral_for == BOB and "sent to someone else" in note.text

    assert sandbox.driver.click(BOB, prompt, PROMPT_STOP).status == 200
    with sessions() as session:
        assert not any(
            m.prompts_opt_out for m in session.scalars(select(Member).where(Member.team_id == TEAM))
        )
    assert current(sandbox, prompt).blocks == prompt.blocks

    view = open_form(sandbox, prompt, [CAROL])
    answer = submit(sandbox, view, answers({CAROL: ("the docs", PUBLIC)}), user_id=BOB)
    assert answer["response_action"] == "update"
    assert credits(sessions) == []


def test_stop_these_prompts_takes_effect_at_once_and_can_be_undone(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    def opted_out() -> bool:
        with sessions() as session:
            alice = session.get(Member, (TEAM, ALICE))
            assert alice is not None
            return alice.prompts_opt_out

    prompt = prompt_for(sandbox, clock)
    # Next week's prompt is planned, but not sent yet, when Alice stops them.
    run_tick(sessions, LOCAL_15[ALICE] + timedelta(days=7))
    assert sandbox.driver.click(ALICE, prompt, PROMPT_STOP).status == 200
    assert opted_out()
    stopped = current(sandbox, prompt)
    assert stopped.text.startswith("Done: no more weekly prompts.")
    assert PROMPT_PICK not in str(stopped.blocks) and PROMPT_RESUME in str(stopped.blocks)

    # A second click on the old message changes nothing more.
    assert sandbox.driver.click(ALICE, prompt, PROMPT_STOP).status == 200
    assert opted_out() and current(sandbox, prompt).text == stopped.text

    # Dave, an hour ahead, still gets his.
    assert prompted(sandbox, LOCAL_15[ALICE] + timedelta(days=7, minutes=1)) == {DAVE}
    assert ALICE not in prompted(sandbox, LOCAL_15[ALICE] + timedelta(days=14))
    assert len(sandbox.emulator.messages(f"D{ALICE}")) == 1  # the one stopped
    statuses = {row.dedupe_key: row.status for row in outbox(sessions, "prompt")}
    assert statuses[f"prompt:{TEAM}:{ALICE}:2026-W50"] == "expired"
    assert f"prompt:{TEAM}:{ALICE}:2026-W51" not in statuses

    assert sandbox.driver.click(ALICE, stopped, PROMPT_RESUME).status == 200
    assert not opted_out()
    resumed = current(sandbox, prompt)
    assert "Prompts are back on" in str(resumed.blocks)
    assert PROMPT_PICK in str(resumed.blocks) and PROMPT_STOP in str(resumed.blocks)
    assert ALICE in prompted(sandbox, LOCAL_15[ALICE] + timedelta(days=21))


def test_stop_still_works_on_an_answered_prompt(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    submit(sandbox, view, answers({BOB: ("the review", "small")}))
    answered = current(sandbox, prompt)
    assert sandbox.driver.click(ALICE, answered, PROMPT_STOP).status == 200
    with sessions() as session:
        alice = session.get(Member, (TEAM, ALICE))
        assert alice is not None and alice.prompts_opt_out


def test_the_form_follows_the_people_added_and_removed_in_it(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    # Slack reports a multi-select at each item chosen: the first opens the form...
    view = open_form(sandbox, prompt, [BOB])
    [picker] = [b for b in view["blocks"] if b.get("block_id") == PEOPLE]
    assert picker["element"]["initial_users"] == [BOB] and picker["dispatch_action"] is True

    # ...and the rest are picked in the form, which follows, as the same form.
    view = pick_in_form(sandbox, view, [BOB, CAROL, DEPLOYBOT])
    assert len(field_labels(view)) == 4 and "Deploy Bot is a bot" in str(view["blocks"])
    view = pick_in_form(sandbox, view, [CAROL, DAVE])
    assert field_labels(view)[::2] == ["What did carol do?", "What did dave do?"]
    assert len(sandbox.emulator.open_views) == 1

    form = answers({CAROL: ("the docs", PUBLIC), DAVE: ("the deploy", "small")})
    form[PEOPLE] = {PROMPT_PICK: {"type": "multi_users_select", "selected_users": [DAVE, CAROL]}}
    assert submit(sandbox, view, form) == {}
    assert [(c[0], c[2]) for c in credits(sessions)] == [(CAROL, "thanks"), (DAVE, "favor")]

    # Cleared in the form: nothing left to save.
    view = pick_in_form(sandbox, view, [])
    assert field_labels(view) == []


def test_saving_before_the_form_caught_up_with_the_picks_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    form = answers({BOB: ("the review", PUBLIC)})
    form[PEOPLE] = {PROMPT_PICK: {"type": "multi_users_select", "selected_users": [BOB, CAROL]}}
    assert submit(sandbox, view, form) == {
        "response_action": "errors",
        "errors": {PEOPLE: CATCHING_UP},
    }
    assert credits(sessions) == []


def test_someone_elses_form_does_not_follow_their_picks(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB])
    assert pick_in_form(sandbox, view, [CAROL], user_id=BOB) == view
    not_ours = {**view, "private_metadata": "{}"}
    assert pick_in_form(sandbox, not_ours, [CAROL]) == view
    assert sandbox.emulator.calls_to("views.update") == []


def test_two_copies_of_a_submission_at_once_record_and_celebrate_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL])
    form = answers({BOB: ("the review", PUBLIC), CAROL: ("the docs", "small")})
    results: list[dict[str, Any]] = []
    threads = [
        threading.Thread(target=lambda: results.append(submit(sandbox, view, form)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [{}, {}, {}]
    assert [(c[0], c[2]) for c in credits(sessions)] == [(BOB, "thanks"), (CAROL, "favor")]
    assert len(public_posts(sandbox)) == 1
    assert len(sandbox.emulator.calls_to("chat.update")) == 1


def test_the_driver_sends_a_multi_select_as_slack_does(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    prompt = prompt_for(sandbox, clock)
    payload = sandbox.driver.block_action_payload(ALICE, prompt, PROMPT_PICK, selected=[BOB])
    [action] = payload["actions"]
    assert action["type"] == "multi_users_select"
    assert action["selected_users"] == [BOB]
    assert action["block_id"] == f"prompt:{ALICE}:asked"
    assert "value" not in action
    with pytest.raises(ValueError, match="button"):
        sandbox.driver.block_action_payload(ALICE, prompt, PROMPT_STOP, selected=[BOB])


def test_prompts_turned_back_on_within_the_grace_come_at_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    from bot.slack.ids import HOME_SETTING_TOGGLE
    from tests.home_tab import home_click, shown_home

    with sessions.begin() as session:
        alice = session.get(Member, (TEAM, ALICE))
        assert alice is not None
        alice.prompts_opt_out = True
    assert ALICE not in prompted(sandbox, at(14))  # 15:00 in Oslo: she had turned them off

    clock.now = at(14, 5)
    shown_home(sandbox, ALICE)
    assert home_click(sandbox, ALICE, HOME_SETTING_TOGGLE, value="prompts:on").status == 200
    # The next tick, not the workspace's next hourly look, plans hers: still within the grace.
    assert prompted(sandbox, at(14, 6)) == {ALICE}
