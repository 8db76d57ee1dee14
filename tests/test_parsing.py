"""The `/thanks` parser: examples, and properties over any text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import USER_MENTION, defuse_broadcasts, parse_thanks

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
        ("just words", (), "just words", ()),
    ],
)
def test_examples(text: str, users: tuple[str, ...], reason: str, values: tuple[str, ...]) -> None:
    parsed = parse_thanks(text)
    assert parsed.user_ids == users
    assert parsed.reason == reason
    assert parsed.values == values


def test_unescaped_names_are_reported() -> None:
    assert parse_thanks("@bob for the review").unresolved_names == ("bob",)


def test_values_are_capped_and_shortened() -> None:
    parsed = parse_thanks(f"<@{BOB}> ok " + " ".join(f"#v{n}{'x' * 40}" for n in range(8)))
    assert len(parsed.values) == 5
    assert all(len(value) <= 30 for value in parsed.values)


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
    for special in ("<!channel>", "<!here>", "<!everyone>"):
        assert special not in defuse_broadcasts(text + special)
