"""The members cache: start-up sync, team_join / user_change events, retries, uninstall."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Base, Credit, Member, ProcessedEvent, Workspace
from bot.sandbox.harness import Sandbox

TEAM = "T0SANDBOX"
ALICE, BOB = "U0ALICE01", "U0BOB0002"


def member(sessions: sessionmaker[Session], user_id: str) -> Member | None:
    with sessions() as session:
        return session.get(Member, (TEAM, user_id))


def slack_user(user_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": TEAM,
        "name": name,
        "real_name": name.title(),
        "tz": "Europe/Paris",
        "deleted": False,
        "is_bot": False,
        "profile": {"display_name": name, "real_name": name.title()},
        **extra,
    }


def test_start_up_sync_caches_every_member_across_pages(
    sessions: sessionmaker[Session], clock: Any
) -> None:
    sandbox = Sandbox(sessions, clock, sync_members=False)
    from slack_emulator import SlackUser

    for n in range(450):
        sandbox.emulator.add_user(SlackUser(id=f"U1{n:07d}", team_id=TEAM, name=f"person{n}"))
    with sandbox:
        from bot.slack.api import sync_workspace
        from bot.slack.app import make_client

        client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
        assert sync_workspace(client, sessions, clock) == TEAM
        assert len(sandbox.emulator.calls_to("users.list")) == 3  # 458 members, 200 a page

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 458
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None and workspace.name == "Sandbox Co"
        bot = session.get(Member, (TEAM, "U0DEPLOY9"))
        former = session.get(Member, (TEAM, "U0FRANK06"))
        alice = session.get(Member, (TEAM, ALICE))
    assert bot is not None and bot.is_bot and not bot.can_receive_credit
    assert former is not None and former.is_deactivated
    assert alice is not None and alice.tz == "Europe/Oslo" and alice.is_admin


def test_team_join_adds_the_new_member(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    envelope = sandbox.driver.event_envelope(
        {"type": "team_join", "user": slack_user("U0NEWBIE1", "gina")}
    )
    assert sandbox.driver.send_event(envelope).status == 200
    gina = member(sessions, "U0NEWBIE1")
    assert gina is not None and gina.label == "gina" and gina.tz == "Europe/Paris"


def test_user_change_deactivation_stops_credit(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    gone = slack_user(BOB, "bob", deleted=True)
    sandbox.driver.send_event(sandbox.driver.event_envelope({"type": "user_change", "user": gone}))
    delivery, _ = sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for it", "C0GENERAL")
    assert "no longer active" in delivery.json()["text"]


def test_a_user_change_from_another_organisation_is_not_cached(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Slack sends user_change for people of other organisations in shared channels.
    outsider = slack_user("U0OUTSIDE", "olga", team_id="T0OTHER99")
    envelope = sandbox.driver.event_envelope({"type": "user_change", "user": outsider})
    assert sandbox.driver.send_event(envelope).status == 200

    assert member(sessions, "U0OUTSIDE") is None
    delivery, _ = sandbox.driver.slash_command(ALICE, "/thanks", "<@U0OUTSIDE> for it", "C0GENERAL")
    assert delivery.json()["response_type"] == "ephemeral"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Credit)) == 0


def test_a_retried_event_is_applied_once(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    driver = sandbox.driver
    deactivated = driver.event_envelope(
        {"type": "user_change", "user": slack_user(BOB, "bob", deleted=True)}
    )
    reactivated = driver.event_envelope(
        {"type": "user_change", "user": slack_user(BOB, "bob", deleted=False)}
    )
    assert driver.send_event(deactivated).status == 200
    assert driver.send_event(reactivated).status == 200
    # Slack retries the first delivery (it did not see our answer in time): applying it again
    # would wrongly deactivate Bob.
    for retry_num in (1, 2, 3):
        assert driver.send_event(deactivated, retry_num=retry_num).status == 200

    bob = member(sessions, BOB)
    assert bob is not None and not bob.is_deactivated
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 2


def test_concurrent_duplicate_deliveries_apply_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    envelope = sandbox.driver.event_envelope(
        {"type": "team_join", "user": slack_user("U0NEWBIE2", "hana")}
    )
    statuses: list[int] = []
    start = threading.Barrier(6)

    def deliver(retry_num: int) -> None:
        start.wait()
        statuses.append(sandbox.driver.send_event(envelope, retry_num=retry_num).status)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 6
    with sessions() as session:
        events = session.scalars(select(ProcessedEvent)).all()
    assert [event.event_id for event in events] == [envelope["event_id"]]


def test_uninstall_deletes_the_workspace_and_its_ledger(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for it", "C0GENERAL")
    sandbox.driver.slash_command(BOB, "/favor", "ask a lift to the offsite", "C0GENERAL")
    sandbox.driver.open_home(ALICE)  # her channels, as Slack listed them
    sandbox.driver.send_event(sandbox.driver.archival_envelope("C0RANDOM1", "archive", ALICE))
    sandbox.settle()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Credit)) == 1
        kept = _rows_by_table(session)
    assert {"workspaces", "members", "credits", "favor_requests", "celebrations"} <= set(kept)
    assert {"member_channels", "channel_archival"} <= set(kept)

    delivery = sandbox.driver.send_event(sandbox.driver.event_envelope({"type": "app_uninstalled"}))

    assert delivery.status == 200
    with sessions() as session:
        assert _rows_by_table(session) == {}  # every table the workspace had rows in


def _rows_by_table(session: Session) -> dict[str, int]:
    """How many rows each of the ledger's tables holds (those with any)."""
    counts = {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }
    return {name: count for name, count in counts.items() if count}


def test_revoking_only_user_tokens_keeps_the_workspace(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": [ALICE], "bot": []}}
    sandbox.driver.send_event(sandbox.driver.event_envelope(event))
    with sessions() as session:
        assert session.get(Workspace, TEAM) is not None

    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0GOODWILL"]}}
    sandbox.driver.send_event(sandbox.driver.event_envelope(event))
    with sessions() as session:
        assert session.get(Workspace, TEAM) is None
