"""`/thanks`: public credit from the person thanking (helped) to each person thanked (helper)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import (
    NoRecipientError,
    ReasonTooLongError,
    SelfCreditError,
    TooManyRecipientsError,
)
from bot.ledger.credits import NewCredit
from bot.ledger.record import record
from bot.members.cache import FetchUser
from bot.thanks.parsing import ParsedThanks, length_problem

MAX_RECIPIENTS = 10
MAX_REASON_LENGTH = 1000

USAGE = (
    "Type `/thanks @someone for what they did`, picking people from the autocomplete. "
    "You can thank up to 10 people at once and add tags such as `#teamwork` at the end."
)


@dataclass(frozen=True)
class ThanksRequest:
    team_id: str
    thanker_id: str
    channel_id: str
    parsed: ParsedThanks
    # Unique per invocation (the slash command's trigger_id): the same request delivered
    # twice carries the same key and is recorded once.
    request_key: str
    # The message the thanks are for, when they come from the "Thank for this" shortcut.
    message_ts: str | None = None
    # Whether the thanks are shown where the whole workspace may read them (a public channel),
    # so that the digest may quote their reason; None when Slack would not say, which counts
    # as no until bot.channels.kinds asks again.
    quotable: bool | None = False
    # The slash command's response_url, kept with the credits: its answer is the public
    # message, and taking them back says so through it (bot.favours.undo).
    response_url: str | None = None


@dataclass(frozen=True)
class ThanksOutcome:
    helper_ids: tuple[str, ...]
    thanker_id: str
    reason: str
    values: tuple[str, ...]
    already_recorded: bool


def give_thanks(
    session: Session, now: datetime, request: ThanksRequest, fetch_user: FetchUser
) -> ThanksOutcome:
    """The thanks after every check, each refusal an InputError that says what to do."""
    check_text(request.thanker_id, request.parsed)
    new = record(session, now, request.team_id, _credits(request), fetch_user)
    return _outcome(request, already_recorded=new == 0)


def _credits(request: ThanksRequest) -> list[NewCredit]:
    parsed = request.parsed
    return [
        NewCredit(
            helper_id=helper_id,
            helped_id=request.thanker_id,
            kind="thanks",
            source_key=f"thanks:{request.team_id}:{request.request_key}:{helper_id}",
            reason=parsed.reason or None,
            values=parsed.values,
            channel_id=request.channel_id,
            message_ts=request.message_ts,
            quotable=request.quotable,
            response_url=request.response_url,
        )
        for helper_id in parsed.user_ids
    ]


def _outcome(request: ThanksRequest, *, already_recorded: bool) -> ThanksOutcome:
    return ThanksOutcome(
        helper_ids=request.parsed.user_ids,
        thanker_id=request.thanker_id,
        reason=request.parsed.reason,
        values=request.parsed.values,
        already_recorded=already_recorded,
    )


def check_text(thanker_id: str, parsed: ParsedThanks) -> None:
    """The checks that need neither the database nor Slack: refuse before asking either."""
    if not parsed.user_ids:
        if parsed.group_names:
            groups = ", ".join(f"@{name}" for name in parsed.group_names)
            raise NoRecipientError(
                f"{groups} is a group, and thanks go to people one by one. Mention the people "
                f"who helped instead. {USAGE}"
            )
        if parsed.unresolved_names:
            names = ", ".join(f"@{name}" for name in parsed.unresolved_names)
            raise NoRecipientError(
                f"I couldn't tell who {names} is. Pick people from the autocomplete "
                f"when you type @, then send it again. {USAGE}"
            )
        raise NoRecipientError(f"Who would you like to thank? {USAGE}")
    if thanker_id in parsed.user_ids:
        raise SelfCreditError(
            "You can't thank yourself, though it sounds like you did good work! "
            "Thank the people who helped you: `/thanks @someone for …`."
        )
    if len(parsed.user_ids) > MAX_RECIPIENTS:
        raise TooManyRecipientsError(
            f"That's {len(parsed.user_ids)} people; /thanks takes up to {MAX_RECIPIENTS} at "
            "once. Split them over a few messages, or thank the team in the channel."
        )
    problem = length_problem(parsed.reason, MAX_REASON_LENGTH, "Your reason is")
    if problem is not None:
        raise ReasonTooLongError(problem)
