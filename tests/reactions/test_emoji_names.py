"""The names an emoji goes by, as reactions and the credit-emoji setting compare them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.reactions.emoji import emoji_names, is_credit_emoji, same_emoji


def test_aliases_name_the_same_emoji() -> None:
    assert {"+1", "thumbsup", "thumbs_up"} <= same_emoji("+1")
    assert same_emoji("thumbsup") == same_emoji("+1")
    assert {"tada", "party_popper"} <= same_emoji("tada")
    assert "thumbsdown" not in same_emoji("+1")


def test_a_name_the_table_does_not_know_goes_by_itself() -> None:
    assert same_emoji("thankyou") == {"thankyou"}  # a workspace's own emoji
    assert emoji_names(":Thankyou:") == ["thankyou"]


def test_skin_tones_and_colons_go_before_the_names_are_looked_up() -> None:
    assert "thumbsup" in emoji_names("+1::skin-tone-2")
    assert is_credit_emoji("+1::skin-tone-2", frozenset({"thumbsup"}))
    assert is_credit_emoji("thumbsup", frozenset({"+1"}))
    assert not is_credit_emoji("-1", frozenset({"+1"}))


def test_a_name_with_a_space_is_no_emoji() -> None:
    assert emoji_names("pray now") == []
    assert not is_credit_emoji("pray now", frozenset({"pray", "now", "pray now"}))


@given(st.text(max_size=40))
def test_any_name_is_among_its_own_names(name: str) -> None:
    assert name in same_emoji(name)
