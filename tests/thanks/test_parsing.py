"""The `/thanks` parser: examples, and properties over any text (hypothesis)."""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ReasonTooLongError
from bot.thanks import parsing
from bot.thanks.parsing import (
    MAX_COMMAND_TEXT,
    USER_MENTION,
    WORD_JOINER,
    MentionedGroup,
    defuse_broadcasts,
    escape_text,
    length_problem,
    parse_thanks,
    shown_text,
)

BOB, CAROL = "U0BOB0002", "U0CAROL03"


@pytest.mark.parametrize(
    ("text", "users", "reason", "values"),
    [
        (f"<@{BOB}|bob> for the review", (BOB,), "for the review", ()),
        (
            f"<@{BOB}> <@{CAROL}> for cake #kindness #Team",
            (BOB, CAROL),
            "for cake",
            ("kindness", "team"),
        ),
        (f"to <@{BOB}>, <@{CAROL}> and <@{BOB}> for cake", (BOB, CAROL), "for cake", ()),
        (f"<@{BOB}> &amp; <@{CAROL}>", (BOB, CAROL), "", ()),
        (f"<@{BOB}> for pairing with <@{CAROL}>", (BOB,), f"for pairing with <@{CAROL}>", ()),
        (f"for the review <@{BOB}>", (BOB,), "for the review", ()),
        (f"<@{BOB}> fixing bug #123", (BOB,), "fixing bug #123", ()),
        (f"<@{BOB}>   lots   of\n spaces ", (BOB,), "lots of spaces", ()),
        # Slack links a tag that names a channel: it is still the tag.
        (f"<@{BOB}> for the fix <#C0ENGINE2|engineering>", (BOB,), "for the fix", ("engineering",)),
        (f"<@{BOB}> fix #care <#C0ENGINE2|Team-Work>", (BOB,), "fix", ("care", "team-work")),
        (
            f"<@{BOB}> see <#C0ENGINE2|engineering> now",
            (BOB,),
            "see <#C0ENGINE2|engineering> now",
            (),
        ),
        ("just words", (), "just words", ()),
        (f"<@{BOB}> -1 bug, thanks to the review", (BOB,), "-1 bug, thanks to the review", ()),
        (f"<@{BOB}> ...and the docs", (BOB,), "...and the docs", ()),
        (f"<@{BOB}>: :tada: for the cake", (BOB,), ":tada: for the cake", ()),
    ],
)
def test_examples(text: str, users: tuple[str, ...], reason: str, values: tuple[str, ...]) -> None:
    parsed = parse_thanks(text)
    assert parsed.user_ids == users
    assert parsed.reason == reason
    assert parsed.values == values


def test_unescaped_names_are_reported() -> None:
    assert parse_thanks("@bob for the review").unresolved_names == ("bob",)


def test_user_groups_are_thanked_with_or_without_their_handle() -> None:
    parsed = parse_thanks("<!subteam^S0ONCALL|@oncall> for the fix, and <!here|@here>")
    assert parsed.user_ids == () and parsed.unresolved_names == ()
    assert parsed.groups == (MentionedGroup("S0ONCALL", "oncall"),)
    assert parsed.reason == "for the fix, and <!here|@here>"
    assert parse_thanks("<!subteam^S0ONCALL> thanks").groups == (MentionedGroup("S0ONCALL"),)
    both = parse_thanks(f"<@{BOB}> and <!subteam^S0ONCALL|@oncall>: for the fix")
    assert both.user_ids == (BOB,) and both.groups == (MentionedGroup("S0ONCALL", "oncall"),)
    assert both.reason == "for the fix"
    # Named later, with nobody at the start, a group counts as a person does.
    late = parse_thanks("for the fix <!subteam^S0ONCALL|@oncall>")
    assert late.groups == (MentionedGroup("S0ONCALL", "oncall"),) and late.reason == "for the fix"
    # After someone at the start, a group in the reason is words.
    words = parse_thanks(f"<@{BOB}> for paging <!subteam^S0ONCALL|@oncall>")
    assert words.groups == () and words.reason == "for paging <!subteam^S0ONCALL|@oncall>"


@pytest.mark.parametrize("joiner", [":", " :", ",", " -", " —", "!", ":  "])
def test_punctuation_after_the_people_thanked_is_not_the_reason(joiner: str) -> None:
    parsed = parse_thanks(f"<@{BOB}|bob>{joiner} for the cake")
    assert parsed.user_ids == (BOB,) and parsed.reason == "for the cake"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("R&amp;D &lt;3 a &gt; b", "R&D <3 a > b"),
        (f"with <@{BOB}|bob> and <@{CAROL}>", f"with @bob and @{CAROL}"),
        (
            "in <#C0ENGINE2|engineering>, <!here> and <!subteam^S1|@oncall>",
            "in #engineering, @here and @oncall",
        ),
        (
            "<https://example.com/doc|the doc> or <https://example.com>",
            "the doc or https://example.com",
        ),
        ("&amp;lt; stays one escape", "&lt; stays one escape"),
    ],
)
def test_shown_text_is_what_slack_shows(text: str, shown: str) -> None:
    assert shown_text(text) == shown


def test_escaped_text_shows_as_typed_and_its_markup_is_words() -> None:
    typed = "R&D <!here> <@U0BOB0002> &amp;"
    assert shown_text(escape_text(typed)) == typed
    assert "<" not in escape_text(typed) and ">" not in escape_text(typed)


def test_length_is_counted_as_shown_and_the_markup_must_fit_a_message() -> None:
    assert length_problem("R&amp;D " * 125, 1000) is None  # 1,000 shown, 1,500 sent
    assert length_problem("x" * 1001, 1000) == (
        "That's 1,001 characters; the limit is 1,000. Shorten it and send it again."
    )
    many = f"<@{BOB}|b> " * 130  # 520 shown, 1,950 sent
    assert length_problem(many, 1000) is None
    assert "more mentions, links and symbols" in (length_problem(many + many, 1100) or "")


def test_values_are_capped_and_shortened_and_those_left_out_are_kept_to_say_so() -> None:
    parsed = parse_thanks(f"<@{BOB}> ok " + " ".join(f"#v{n}{'x' * 40}" for n in range(8)))
    assert len(parsed.values) == 5
    assert all(len(value) <= 30 for value in parsed.values)
    assert [value[:2] for value in parsed.dropped_values] == ["v5", "v6", "v7"]
    assert parse_thanks(f"<@{BOB}> ok #a #b #A").dropped_values == ()


mention = st.from_regex(r"<@U[A-Z0-9]{8}(\|[a-z]{1,8})?>", fullmatch=True)
words = st.text(max_size=40)
mixed = st.lists(st.one_of(mention, words, st.sampled_from(["#team", ",", " and ", "to "])))


@given(st.text())
def test_any_text_parses_without_error(text: str) -> None:
    parsed = parse_thanks(text)
    assert len(parsed.values) <= 5


@given(mixed.map(" ".join))
def test_only_mentioned_ids_are_ever_credited(text: str) -> None:
    mentioned = {match.group(1) for match in USER_MENTION.finditer(text)}
    parsed = parse_thanks(text)
    assert set(parsed.user_ids) <= mentioned
    assert len(parsed.user_ids) == len(set(parsed.user_ids))
    if mentioned:
        assert parsed.user_ids


@given(st.text())
def test_defused_text_never_broadcasts(text: str) -> None:
    for special in ("<!channel>", "<!here>", "<!everyone>", "<!here|@here>", "@channel", "@Here"):
        defused = defuse_broadcasts(text + " " + special)
        assert special not in defused
        assert all(f"@{word}" not in defused.casefold() for word in ("channel", "here", "everyone"))


def test_defused_broadcasts_read_the_same() -> None:
    defused = defuse_broadcasts("told <!channel>, @here and <!subteam^S1|@oncall>")
    assert defused.replace(WORD_JOINER, "") == "told @channel, @here and @oncall"


# Any text a person can send is answered at once: what is longer than any /thanks can be is
# refused unread, and the rest is read in time linear in its length. The bound is generous
# (parsing the largest of these takes a few milliseconds) so that a busy machine cannot fail it.
PARSING_BOUND = 0.05

HOSTILE = {
    "tags": f"<@{BOB}> for it " + "#tag " * 30_000,
    "channel tags": f"<@{BOB}> x " + "<#C0ENGINE2|team> " * 10_000,
    "mentions": f"<@{BOB}> " * 15_000,
    "late mentions": "for it " + f"<@{BOB}> " * 15_000,
    "unclosed mentions": f"<@{BOB}|bob " * 15_000,
    "unclosed groups": "<!subteam^S0ONCALL|" * 10_000,
    "groups": "<!subteam^S0ONCALL|@oncall> " * 4_000,
    "late groups": "for it " + "<!subteam^S0ONCALL> " * 6_000,
    "punctuation": f"<@{BOB}>" + " :-," * 30_000,
    "unclosed broadcasts": "<!here|" * 20_000,
    "names": "for " + "@bob " * 30_000,
    "joiners": f"<@{BOB}> " + "and &amp; , + " * 10_000,
    "angles": "<" * 120_000,
}


def parse_time(text: str) -> float:
    """The parser's time for `text`: the best of three, so that a moment in which the machine
    ran something else (the suite runs on two processes) is not taken for the parser's."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with contextlib.suppress(ReasonTooLongError):
            parse_thanks(text)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize("name", HOSTILE)
def test_any_text_is_parsed_or_refused_at_once(name: str) -> None:
    text = HOSTILE[name]
    assert len(text) >= 100_000
    with pytest.raises(ReasonTooLongError, match="far more than one command holds"):
        parse_thanks(text)
    assert parse_time(text) < PARSING_BOUND
    # The longest text that is read at all, of the same shape.
    assert parse_time(text[:MAX_COMMAND_TEXT]) < PARSING_BOUND


@pytest.mark.parametrize("name", HOSTILE)
def test_parsing_is_linear_in_the_length_of_the_text(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no limit at all, 100 KB of any of these (quadratic parsing took seconds for 30 KB).
    monkeypatch.setattr(parsing, "MAX_COMMAND_TEXT", 10**9)
    assert parse_time(HOSTILE[name]) < 10 * PARSING_BOUND


def trailing_values_one_search_at_a_time(reason: str) -> tuple[str, list[str]]:
    """The rule as it was first written: the oracle for the one-pass reading."""
    tag = re.compile(r"(?:^|\s)(?:#([A-Za-z][\w-]*)|<#[CG][A-Z0-9]+\|([A-Za-z][\w-]*)>)\s*$")
    values: list[str] = []
    while (found := tag.search(reason)) is not None:
        values.insert(0, (found.group(1) or found.group(2)).lower()[:30])
        reason = reason[: found.start()]
    return reason, values


tag_words = st.one_of(
    st.from_regex(r"#[A-Za-z][\w-]{0,8}", fullmatch=True),
    st.from_regex(r"<#C[A-Z0-9]{4}\|[A-Za-z][a-z-]{0,6}>", fullmatch=True),
    st.sampled_from(["#", "#1a", "x#tag", "<#C1|>", "#a<", "\u00a0", "\n", "\t"]),
    st.text(max_size=6),
)


@given(st.lists(tag_words, max_size=12), st.sampled_from([" ", "  ", "\n", "\u2003", ""]))
def test_trailing_values_are_read_as_the_rule_says(words: list[str], gap: str) -> None:
    reason = gap.join(words)
    expected_rest, expected_values = trailing_values_one_search_at_a_time(reason)
    rest, values = parsing._trailing_values(reason)
    assert values == expected_values
    assert rest.strip() == expected_rest.strip()
