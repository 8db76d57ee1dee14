"""`/thanks`: public credit from the person thanking (helped) to each person thanked (helper)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import (
    NoRecipientError,
    NotAPersonError,
    ReasonTooLongError,
    SelfCreditError,
    TooManyRecipientsError,
)
from bot.parsing import ParsedThanks, length_problem
from bot.services.fair_use import check_fair_use, standing
from bot.services.ledger import NewCredit, record_credits, record_plainly_fair
from bot.services.members import FetchUser
from bot.statements import Runner

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
    # as no until bot.jobs.channel_kinds asks again.
    quotable: bool | None = False


@dataclass(frozen=True)
class ThanksOutcome:
    helper_ids: tuple[str, ...]
    thanker_id: str
    reason: str
    values: tuple[str, ...]
    already_recorded: bool


def thank_at_once(run: Runner, now: datetime, request: ThanksRequest) -> ThanksOutcome | None:
    """The thanks, recorded in one statement when the rules plainly allow them.

    A single statement (bot.statements), not a session: one statement needs no unit of
    work, and skipping the session saved 0.15 ms of CPU a statement here (0.80 -> 0.65 ms).

    None when they do not plainly allow them (someone the members cache does not know, a
    bot, the daily cap near, a reason used today, a retry): `give_thanks` then decides.
    """
    check_text(request.thanker_id, request.parsed)
    if not record_plainly_fair(run, request.team_id, _credits(request), now):
        return None
    return _outcome(request, already_recorded=False)


def give_thanks(
    session: Session, now: datetime, request: ThanksRequest, fetch_user: FetchUser
) -> ThanksOutcome:
    """The thanks after every check, each refusal an InputError that says what to do."""
    parsed = request.parsed
    check_text(request.thanker_id, parsed)
    giver = standing(session, now, request.team_id, request.thanker_id, parsed.user_ids, fetch_user)
    for user_id in parsed.user_ids:
        member = giver.people[user_id]
        if member.is_bot:
            raise NotAPersonError(
                f"{member.label} is a bot, and bots don't need thanks. "
                "Thank the people who helped you instead."
            )
        if member.is_deactivated:
            raise NotAPersonError(
                f"{member.label} is no longer active in this workspace, so they can't be "
                "thanked here. Thank the people who are around now."
            )

    credits = _credits(request)
    seen = check_fair_use(giver, credits)
    new = 0 if seen else record_credits(session, request.team_id, credits, now)
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
