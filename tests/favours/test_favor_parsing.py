"""The `/favor` parser: examples of each subcommand and of bad text, and properties (hypothesis)."""

from __future__ import annotations

import time
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.favours.blocks import one_line
from bot.favours.parsing import (
    MAX_FAVOR_TEXT,
    FavorAsk,
    FavorBalance,
    FavorCommand,
    FavorHelp,
    FavorHistory,
    FavorLog,
    FavorOffer,
    FavorUndo,
    FavorUsage,
    parse_favor,
)
from bot.thanks.parsing import MAX_COMMAND_TEXT, MAX_MARKUP, USER_MENTION, shown_text

BOB, CAROL = "U0BOB0002", "U0CAROL03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", FavorHelp()),
        ("   \n ", FavorHelp()),
        ("help", FavorHelp()),
        ("HELP", FavorHelp()),
        (f"<@{BOB}> moved my desk", FavorLog(BOB, "moved my desk", "small")),
        (f"<@{BOB}|bob> moved my desk big", FavorLog(BOB, "moved my desk", "big")),
        (f"<@{BOB}> moved   my\ndesk  Medium ", FavorLog(BOB, "moved my desk", "medium")),
        (f"<@{BOB}> covered my shift, a big one", FavorLog(BOB, "covered my shift, a big one")),
        (f"<@{BOB}> lent a bigg hand bigg", FavorLog(BOB, "lent a bigg hand bigg", "small")),
        (f"<@{BOB}> moved my desk big.", FavorLog(BOB, "moved my desk", "big")),
        (f"<@{BOB}> moved my desk, big", FavorLog(BOB, "moved my desk", "big")),
        (f"<@{BOB}> moved my desk (medium)", FavorLog(BOB, "moved my desk", "medium")),
        (f"<@{BOB}> moved my desk - big!", FavorLog(BOB, "moved my desk", "big")),
        (f"<@{BOB}> ... big", FavorLog(BOB, "...", "big")),
        (f"<@{BOB}> paired with <@{CAROL}> on it", FavorLog(BOB, f"paired with <@{CAROL}> on it")),
        ("ask a review of my PR", FavorAsk("a review of my PR")),
        ("Ask  someone to water\nthe plants ", FavorAsk("someone to water\nthe plants")),
        ("offer cake on Friday", FavorOffer("cake on Friday")),
        ("balance", FavorBalance()),
        (f"balance <@{BOB}|bob>", FavorBalance(BOB)),
        ("history", FavorHistory()),
        ("undo", FavorUndo()),
        ("Undo ", FavorUndo()),
    ],
)
def test_examples(text: str, expected: FavorCommand) -> None:
    assert parse_favor(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ask", "What do you need a hand with?"),
        ("offer   ", "What would you like to offer?"),
        (f"<@{BOB}>", "What did <@U0BOB0002> do for you?"),
        (f"<@{BOB}> big", "What did <@U0BOB0002> do for you?"),
        (f"<@{BOB}> <@{CAROL}> moved desks", "one person at a time"),
        ("@bob moved my desk", "couldn't tell who that is"),
        ("thank <@U0BOB0002> for it", "To thank someone in public, type `/thanks @someone"),
        ("balanse", "I don't know `/favor balanse`. Did you mean `/favor balance`?"),
        ("Histroy", "I don't know `/favor histroy`. Did you mean `/favor history`?"),
        ("forgetme", "Did you mean `/favor forget-me`?"),
        ("frobnicate the widgets", "I don't know `/favor frobnicate`."),
        ("x" * 31, "I didn't recognise that."),
        ("`balance`", "I didn't recognise that."),
        ("<!channel> hello", "I didn't recognise that."),
        ("balance bob", "/favor balance @someone"),
        (f"balance <@{BOB}> <@{CAROL}>", "/favor balance @someone"),
        ("history please", "`/favor history` takes nothing after it"),
        ("undo that", "`/favor undo` takes nothing after it"),
        (f"<@{BOB}> " + "x" * (MAX_FAVOR_TEXT + 1), "the limit is 1,000"),
        ("ask " + "y" * (MAX_FAVOR_TEXT + 1), "the limit is 1,000"),
        ("offer " + "z" * (MAX_FAVOR_TEXT + 1), "the limit is 1,000"),
    ],
)
def test_bad_text_is_a_usage_with_the_problem(text: str, problem: str) -> None:
    parsed = parse_favor(text)
    assert isinstance(parsed, FavorUsage)
    assert problem in parsed.problem


def test_descriptions_up_to_the_limit_are_accepted() -> None:
    text = "x" * MAX_FAVOR_TEXT
    assert parse_favor(f"<@{BOB}> {text} big") == FavorLog(BOB, text, "big")
    assert parse_favor(f"ask {text}") == FavorAsk(text)


def test_weights_follow_the_size() -> None:
    assert [FavorLog(BOB, "x", size).weight for size in ("small", "medium", "big")] == [1, 2, 3]


mention = st.from_regex(r"<@[UW][A-Z0-9]{8}(\|[a-z]{1,8})?>", fullmatch=True)
keyword = st.sampled_from(
    [
        *("ask", "offer", "balance", "history", "undo", "help", "small", "medium", "big", "Big"),
        *("digest", "here", "off", "settings", "export", "forget-me", "DIGEST"),
    ]
)
pieces = st.lists(st.one_of(mention, keyword, st.text(max_size=30), st.just(" ")), max_size=12)
# Every kind of command the parser may give, in step with its type: a new one is not a
# failure of the properties below.
COMMANDS = get_args(FavorCommand)


@given(st.text())
def test_any_text_is_a_command_or_a_usage(text: str) -> None:
    assert isinstance(parse_favor(text), COMMANDS)


@given(pieces.map(" ".join))
def test_only_mentioned_ids_are_ever_credited_or_looked_at(text: str) -> None:
    mentioned = {match.group(1) for match in USER_MENTION.finditer(text)}
    parsed = parse_favor(text)
    assert isinstance(parsed, COMMANDS)
    if isinstance(parsed, FavorLog):
        assert parsed.helper_id in mentioned
        assert parsed.description
        assert len(shown_text(parsed.description)) <= MAX_FAVOR_TEXT
        assert len(parsed.description) <= MAX_MARKUP
        assert parsed.size in ("small", "medium", "big")
    if isinstance(parsed, FavorBalance) and parsed.counterpart_id is not None:
        assert parsed.counterpart_id in mentioned
    if isinstance(parsed, FavorAsk | FavorOffer):
        assert parsed.what and len(shown_text(parsed.what)) <= MAX_FAVOR_TEXT
        assert len(parsed.what) <= MAX_MARKUP
    if isinstance(parsed, FavorUsage):
        assert parsed.problem


@given(mention, st.text(max_size=50), st.sampled_from(["small", "medium", "big"]))
def test_a_trailing_size_word_sets_the_size(who: str, words: str, size: str) -> None:
    parsed = parse_favor(f"{who} {words} {size}")
    if " ".join(words.split()):
        assert isinstance(parsed, FavorLog)
        assert parsed.size == size
        assert parsed.helper_id == USER_MENTION.match(who).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("short enough", "short enough"),
        ("help with <@U0BOB0002|bob> and more words", "help with…"),
        ("fixed the R&amp;D build for us", "fixed the R…"),
        ("a <https://example.com|link> here", "a <https://example.com|link>…"),
    ],
)
def test_a_cut_line_never_splits_slack_markup(text: str, shown: str) -> None:
    assert one_line(text, 30 if "link" in text else 14) == shown


@given(st.lists(st.one_of(mention, st.sampled_from(["&amp;", "&lt;", "word", " "])), max_size=30))
def test_any_cut_keeps_markup_whole(pieces_: list[str]) -> None:
    text = " ".join(pieces_)
    for limit in (5, 20, 60):
        cut = one_line(text, limit)
        assert len(cut) <= limit
        assert cut.count("<") == cut.count(">")
        assert shown_text(cut.removesuffix("…")).count("&") <= shown_text(text).count("&")
        assert all(part.startswith(("amp;", "lt;", "gt;")) for part in cut.split("&")[1:])


@pytest.mark.parametrize(
    "text",
    [
        f"<@{BOB}> " + "#tag " * 30_000,
        "ask " + "<!subteam^S0ONCALL|" * 10_000,
        f"<@{BOB}|bob " * 15_000,
        "balance " + "<" * 120_000,
    ],
)
def test_any_text_is_refused_unread_or_parsed_at_once(text: str) -> None:
    # Generous bounds (a few milliseconds in practice) that a busy machine cannot fail.
    started = time.perf_counter()
    refused = parse_favor(text)
    assert isinstance(refused, FavorUsage) and "far more than one command holds" in refused.problem
    assert time.perf_counter() - started < 0.05
    started = time.perf_counter()
    parse_favor(text[:MAX_COMMAND_TEXT])
    assert time.perf_counter() - started < 0.05
