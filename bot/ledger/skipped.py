"""Why a helper was not credited, in the ledger's terms (`Skipped`), and as a refusal in the
caller's words (`refusal`, for callers that credit one helper and answer with an error)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.errors import (
    DailyLimitError,
    InputError,
    NotAPersonError,
    RepeatedReasonError,
    SelfCreditError,
    UnknownMemberError,
)
from bot.slack.messages import counted


class Why(Enum):
    """Each rule of bot.ledger.rules a helper can fail, in the order they are explained."""

    NOT_A_MEMBER = "not_a_member"
    YOURSELF = "yourself"
    BOT = "bot"
    DEACTIVATED = "deactivated"
    DAILY_LIMIT = "daily_limit"
    SAME_REASON = "same_reason"


@dataclass(frozen=True)
class Skipped:
    """A helper not credited, and why. `label`: their name as Slack shows it; `given_today`:
    the giver's live credits to them within the fair-use window."""

    helper_id: str
    why: Why
    label: str = ""
    given_today: int = 0


@dataclass(frozen=True)
class Words:
    """How a refusal for someone who is not a person to credit is put, by what was given.

    `{label}` is the member's name as Slack shows it.
    """

    bot: str
    deactivated: str


THANKS_WORDS = Words(
    bot="{label} is a bot, and bots don't need thanks. Thank the people who helped you instead.",
    deactivated=(
        "{label} is no longer active in this workspace, so they can't be thanked here. "
        "Thank the people who are around now."
    ),
)


def favour_words(advice: str) -> Words:
    return Words(
        bot=f"{{label}} is a bot, and bots don't need favours. {advice}",
        deactivated=(
            "{label} is no longer active in this workspace, so they can't be credited here. "
            f"{advice}"
        ),
    )


def refusal(skipped: Skipped, words: Words = THANKS_WORDS) -> InputError:
    """The error that tells the giver why `skipped` was not credited."""
    who = f"<@{skipped.helper_id}>"
    match skipped.why:
        case Why.YOURSELF:
            return SelfCreditError("You can't credit yourself. Credit the people who helped you.")
        case Why.BOT:
            return NotAPersonError(words.bot.format(label=skipped.label))
        case Why.DEACTIVATED:
            return NotAPersonError(words.deactivated.format(label=skipped.label))
        case Why.NOT_A_MEMBER:
            return UnknownMemberError(
                f"I couldn't find {who} in this workspace. "
                "Pick people from the autocomplete when you type @."
            )
        case Why.DAILY_LIMIT:
            return DailyLimitError(
                f"You've already credited {who} {counted(skipped.given_today, 'time')} today, "
                "the most a day allows. It will count again tomorrow; until then, a message to "
                "them says it just as well."
            )
        case Why.SAME_REASON:
            return RepeatedReasonError(
                f"You already credited {who} for that today. If they helped again, say what "
                "they did this time."
            )
