"""Finding likely helpers with the database's own full-text search.

Three kinds of text say what someone can help with: their open offers, the reasons they were
thanked for in public (`credits.quotable IS TRUE`: nothing said privately or in a private
channel), and the skills they list. PostgreSQL matches them with `to_tsvector` in the
workspace's language, ranked by `ts_rank` and read through GIN expression indexes (migration
0025); SQLite with FTS5 tables (porter stemming), ranked by `bm25`. The ask's words are
joined with OR: one shared word is a match, more rank higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.db import dialect_of
from bot.suggestions.recent import public_thanks, window_start

# PostgreSQL's built-in text search configurations a workspace may choose.
LANGUAGES = (
    "simple",
    "arabic",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
    "turkish",
)
DEFAULT_LANGUAGE = "english"
# At most this many words of the ask are searched for, and this many matches per kind read.
MAX_WORDS = 24
PER_KIND = 40
# Of the public thanks that match, the most recent this many are ranked: what someone was
# thanked for lately says more than years ago, and the work stays bounded however common a
# word is in a big ledger (on PostgreSQL, bot.suggestions.recent bounds what is read too).
RECENT_THANKS = 500
SOURCES = ("offered", "thanked for", "skills")
_WHY_LENGTH = 60
# Words every ask and every thanks say, which tell nothing of what is needed: left out of the
# search in English (PostgreSQL's 'english' configuration drops the first kind itself; FTS5
# has no stop words).
COMMON_ENGLISH = frozenset(
    (  # noqa: SIM905 (a paragraph of words reads better than a column)
        "a about after all also an and any anyone are as at be been but by can could do "
        "does for from get got had has have hand help helped helping i if in into is it "
        "its just me my need needed needs of on or our please quick some somebody "
        "someone that the their them then there these this to up us was we were what "
        "when which who will with would you your thanks thank"
    ).split()
)


@dataclass(frozen=True)
class Match:
    """Someone whose text matched, how well, and the words that say why."""

    user_id: str
    rank: float
    source: str  # one of SOURCES
    words: str


def ask_words(ask: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The ask's words, each safe to quote in either database's query syntax."""
    common = COMMON_ENGLISH if language == DEFAULT_LANGUAGE else frozenset()
    seen: dict[str, None] = {}
    for word in re.findall(r"\w+", ask.lower()):
        if len(word) > 1 and not word.isdigit() and word not in common:
            seen.setdefault(word.replace("_", " ").strip(), None)
    return [word for word in seen if word][:MAX_WORDS]


# Each kind's matches, as (user_id, words, rank) rows of `matched`, narrowed the same way on
# both databases: one row per person, their best; only people who may be suggested (active,
# not bots, not opted out, not the asker); the best PER_KIND of them.
_BEST_PER_PERSON = (
    "SELECT user_id, words, rank FROM ("
    " SELECT matched.user_id, matched.words, matched.rank,"
    " row_number() OVER (PARTITION BY matched.user_id ORDER BY matched.rank DESC) AS nth"
    " FROM ({matched}) AS matched"
    " JOIN members m ON m.team_id = :team AND m.user_id = matched.user_id"
    " WHERE m.is_bot = :no AND m.is_deactivated = :no AND m.suggestions_opt_out = :no"
    " AND m.user_id <> :asker"
    ") AS best WHERE nth = 1 ORDER BY rank DESC, user_id LIMIT :limit"
)


def _postgresql(config: str, query: str, since: int) -> dict[str, str]:
    return {
        "offered": (
            f"SELECT r.author_id AS user_id, r.text AS words, "
            f"ts_rank(to_tsvector({config}, r.text), {query}) AS rank "
            "FROM favor_requests r "
            "WHERE r.team_id = :team AND r.kind = 'offer' AND r.status = 'open' "
            f"AND to_tsvector({config}, r.text) @@ {query}"
        ),
        # The matches are read first (a materialized CTE), then the newest kept: asked for
        # the newest matches, the planner would rather walk the ledger testing each credit.
        "thanked for": (
            f"SELECT c.user_id, c.words, ts_rank(to_tsvector({config}, c.words), {query}) AS rank"
            " FROM (WITH matching AS MATERIALIZED ("
            " SELECT id, helper_id, coalesce(reason, '') AS words FROM credits"
            f" WHERE id > {since:d} AND {public_thanks(config, query)})"
            " SELECT helper_id AS user_id, words FROM matching ORDER BY id DESC LIMIT :recent) AS c"
        ),
        "skills": (
            f"SELECT s.user_id AS user_id, s.skills AS words, "
            f"ts_rank(to_tsvector({config}, s.skills), {query}) AS rank "
            "FROM member_skills s "
            f"WHERE s.team_id = :team AND to_tsvector({config}, s.skills) @@ {query}"
        ),
    }


_SQLITE = {
    "offered": (
        "SELECT r.author_id AS user_id, r.text AS words, "
        "-bm25(favor_requests_search) AS rank "
        "FROM favor_requests_search JOIN favor_requests r ON r.rowid = favor_requests_search.rowid "
        "WHERE favor_requests_search MATCH :query AND r.team_id = :team "
        "AND r.kind = 'offer' AND r.status = 'open'"
    ),
    "thanked for": (
        "SELECT c.helper_id AS user_id, c.reason AS words, -bm25(credits_search) AS rank "
        "FROM credits_search JOIN credits c ON c.rowid = credits_search.rowid "
        "WHERE credits_search MATCH :query AND c.team_id = :team "
        "AND c.quotable IS 1 AND c.retracted_at IS NULL ORDER BY c.id DESC LIMIT :recent"
    ),
    "skills": (
        "SELECT s.user_id AS user_id, s.skills AS words, -bm25(member_skills_search) AS rank "
        "FROM member_skills_search JOIN member_skills s ON s.rowid = member_skills_search.rowid "
        "WHERE member_skills_search MATCH :query AND s.team_id = :team"
    ),
}


def matches(session: Session, team_id: str, ask: str, language: str, asker_id: str) -> list[Match]:
    """Everyone who may be suggested whose offers, public thanks or skills share words with
    the ask, best first: each person once, ranked by the sum of their best match of each
    kind, with their best match of all as why."""
    words = ask_words(ask, language)
    if not words:
        return []
    params = {
        "team": team_id,
        "limit": PER_KIND,
        "recent": RECENT_THANKS,
        "asker": asker_id,
        "no": False,
    }
    if dialect_of(session) == "postgresql":
        # The configuration is a literal, not a parameter, so that the planner sees the
        # indexes' own expression; it comes from LANGUAGES only.
        config = f"'{language if language in LANGUAGES else DEFAULT_LANGUAGE}'::regconfig"
        query = f"to_tsquery({config}, :query)"
        params["query"] = " | ".join(f"'{word}'" for word in words)
        since = window_start(session, config, query, params, RECENT_THANKS)
        statements = _postgresql(config, query, since)
    else:
        statements = _SQLITE
        params["query"] = " OR ".join(f'"{word}"' for word in words)
    best: dict[str, Match] = {}
    total: dict[str, float] = {}
    for source in SOURCES:
        rows = session.execute(text(_BEST_PER_PERSON.format(matched=statements[source])), params)
        for user_id, found, rank in rows:
            score = float(rank)
            total[user_id] = total.get(user_id, 0.0) + score
            if user_id not in best or score > best[user_id].rank:
                best[user_id] = Match(user_id, score, source, _short(found or ""))
    ranked = sorted(total, key=lambda user_id: (-total[user_id], user_id))
    return [Match(u, total[u], best[u].source, best[u].words) for u in ranked]


def _short(words: str) -> str:
    words = " ".join(words.split())
    return words if len(words) <= _WHY_LENGTH else words[: _WHY_LENGTH - 1].rstrip() + "…"


def why(match: Match) -> str:
    """A few words on why someone is suggested: "offered: Terraform reviews"."""
    words = match.words
    if match.source == "thanked for" and words[:4].casefold() == "for ":
        words = words[4:]  # "/thanks @bob for the upgrade" reads "thanked for: the upgrade"
    return f"{match.source}: {words}"
