"""The search over public thanks: the most recent matches are the ones ranked, and a big
ledger is read only where the ask's words are (the full-text index), never credit by credit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session, sessionmaker

import bot.suggestions.recent as recent
import bot.suggestions.search as search
from bot.models import Member, Workspace
from bot.suggestions.search import matches

TEAM = "T0SEARCH1"
FIRST = 100_000_001  # people are U100000001, U100000002, ...: the same digits in SQL
HELPERS = 30
# Enough credits, and words common enough, that the most recent RECENT_THANKS matches are
# found among the newest few thousand: walking the ledger newest first and testing each
# credit's words looks cheap to the planner, and is what the search must not do.
CREDITS = 30_000
TOPICS = 12


def person(n: int) -> str:
    return f"U{FIRST + n - 1}"


ASKER = person(0)


def a_ledger(sessions: sessionmaker[Session]) -> None:
    """CREDITS public thanks, two topics each ("for topic7 and topic31"), every topic to
    each of HELPERS people, written by the database itself."""
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM, name="Search"))
        session.flush()
        session.execute(
            insert(Member),
            [{"team_id": TEAM, "user_id": person(n)} for n in range(HELPERS + 1)],
        )
        session.execute(
            text(
                "INSERT INTO credits (team_id, helper_id, helped_id, kind, weight, reason,"
                ' "values", quotable, source_key, created_at)'
                " WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < :count)"
                " SELECT :team, 'U' || (:first + g / :topics % :helpers), :asker,"
                " 'thanks', 1, 'for topic' || (g % :topics) || ' and topic' || (g * 7 % :topics),"
                " '[]', :yes, 'search:' || g, CURRENT_TIMESTAMP FROM n"
            ),
            {
                "team": TEAM,
                "count": CREDITS,
                "helpers": HELPERS,
                "topics": TOPICS,
                "asker": ASKER,
                "first": FIRST,
                "yes": True,
            },
        )
    with sessions() as session:
        session.execute(text("ANALYZE"))
        session.commit()


@pytest.fixture
def sent(sessions: sessionmaker[Session]) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) that the search sends meanwhile."""
    statements: list[tuple[str, Any]] = []
    engine = sessions.kw["bind"]

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def test_the_most_recent_matching_thanks_are_the_ones_ranked(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_ledger(sessions)
    with sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO credits (team_id, helper_id, helped_id, kind, weight, reason,"
                ' "values", quotable, source_key, created_at)'
                " VALUES (:team, :helper, :asker, 'thanks', 1, :reason, '[]', :yes, :key,"
                " CURRENT_TIMESTAMP)"
            ),
            [
                {"helper": helper, "reason": reason, "key": f"latest:{helper}"}
                | {"team": TEAM, "asker": ASKER, "yes": True}
                for helper, reason in (
                    (person(1), "for the zookeeper upgrade"),  # the oldest of three
                    (person(2), "for zookeeper tuning"),
                    (person(3), "for the zookeeper outage"),
                )
            ],
        )
    monkeypatch.setattr(search, "RECENT_THANKS", 2)
    with sessions() as session:
        found = matches(session, TEAM, "zookeeper", "english", ASKER)
    assert sorted((m.user_id, m.source) for m in found) == [
        (person(2), "thanked for"),
        (person(3), "thanked for"),
    ]
    assert {m.words for m in found} == {"for zookeeper tuning", "for the zookeeper outage"}


@pytest.mark.parametrize("ask", ["topic3 or topic11", "zookeeper"])
def test_a_big_ledger_is_read_only_where_the_words_match_and_about_as_far_as_needed(
    sessions: sessionmaker[Session],
    sent: list[tuple[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    ask: str,
) -> None:
    """Words in a third of the credits (the newest few hundred credits are read), and a word
    in none (looked up in the whole index at once)."""
    a_ledger(sessions)
    monkeypatch.setattr(search, "RECENT_THANKS", 100)
    monkeypatch.setattr(recent, "PROBE", 1_024)
    with sessions() as session:
        found = matches(session, TEAM, f"a hand with {ask}", "english", ASKER)
        assert bool(found) == (ask != "zookeeper")
        [(statement, parameters)] = [(s, p) for s, p in sent if "FROM credits" in s and "rank" in s]
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            plan = [
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            # Credits are reached from the FTS5 table's matches by rowid, never scanned.
            assert "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
            assert not [
                step for step in plan if step.split()[:2] in (["SCAN", "c"], ["SCAN", "credits"])
            ], plan
            return
        [[explained]] = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
        ).all()
    nodes = list(_nodes(explained[0]["Plan"]))
    reading = [node for node in nodes if node.get("Relation Name") == "credits"]
    assert reading, explained
    read = sum(
        node["Actual Rows"]
        + node.get("Rows Removed by Filter", 0)
        + node.get("Rows Removed by Index Recheck", 0)
        for node in reading
    )
    # Not many more credits read than are ranked, however many match; and a word that the
    # newest credits never say is looked up in the index, not searched for credit by credit.
    assert read <= 8 * search.RECENT_THANKS, explained
    if ask == "zookeeper":
        assert "ix_credits_reason_search" in {node.get("Index Name") for node in nodes}, explained


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)
