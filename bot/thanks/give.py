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
from bot.ledger.record import Skipped, record_each
from bot.members.cache import FetchUser
from bot.members.groups import FetchGroup
from bot.thanks.blocks import nobody_thanked
from bot.thanks.groups import members_to_thank
from bot.thanks.parsing import MentionedGroup, ParsedThanks, length_problem

MAX_RECIPIENTS = 10
MAX_REASON_LENGTH = 1000

USAGE = (
    "Type `/thanks @someone for what they did`, picking people from the autocomplete. "
    "You can thank up to 10 people at once, or a user group such as `@platform-team`, and "
    "add tags such as `#teamwork` at the end."
)
# What a refusal says to do, in one line; the whole USAGE only on `/thanks help`.
TRY = "Type `/thanks @someone for what they did`."


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
    # The slash command's response_url, kept with the credits: where the bot may not post,
    # the public message goes through it, and taking the thanks back says so through it too
    # (bot.favours.undo).
    response_url: str | None = None


@dataclass(frozen=True)
class ThanksOutcome:
    """Who was thanked: the people named one by one and credited (`helper_ids`), the groups
    of which someone was credited (`groups`); who was not and why (`skipped`). Nobody, only
    when the request was `already_recorded`."""

    helper_ids: tuple[str, ...]
    thanker_id: str
    reason: str
    values: tuple[str, ...]
    already_recorded: bool
    groups: tuple[MentionedGroup, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    dropped_values: tuple[str, ...] = ()
    # For each of `groups`, its members credited as part of it.
    group_members: tuple[tuple[str, ...], ...] = ()


def no_groups(_group_id: str) -> None:
    """For thanks that cannot name a group (the thanks form): Slack is never asked."""
    return None


def give_thanks(
    session: Session,
    now: datetime,
    request: ThanksRequest,
    fetch_user: FetchUser,
    fetch_group: FetchGroup = no_groups,
) -> ThanksOutcome:
    """The thanks after every check: each person the rules allow is credited, and the others
    are named with the reason. A refusal of the whole request is an InputError saying what to
    do, and so is a request of which nobody could be thanked; a group is credited member by
    member (bot.thanks.groups)."""
    parsed = request.parsed
    check_text(request.thanker_id, parsed)
    teams = members_to_thank(
        session, now, request.team_id, request.thanker_id, parsed.groups, fetch_group, fetch_user
    )
    helper_ids = dict.fromkeys(parsed.user_ids)
    for members in teams.values():
        helper_ids.update(dict.fromkeys(members))
    recorded = record_each(session, now, request.team_id, _credits(request, helper_ids), fetch_user)
    if not recorded.written and recorded.skipped:
        raise nobody_thanked(recorded.skipped)
    written = set(recorded.written)
    credited = {
        group: tuple(user_id for user_id in members if user_id in written)
        for group, members in teams.items()
    }
    credited = {group: members for group, members in credited.items() if members}
    return ThanksOutcome(
        helper_ids=tuple(user_id for user_id in parsed.user_ids if user_id in written),
        thanker_id=request.thanker_id,
        reason=parsed.reason,
        values=parsed.values,
        already_recorded=recorded.before,
        groups=tuple(credited),
        skipped=recorded.skipped,
        dropped_values=parsed.dropped_values,
        group_members=tuple(credited.values()),
    )


def thanks_key(team_id: str, request_key: str) -> str:
    """What every credit of one thanks request starts its source_key with; each adds
    `:{helper}`. A celebration of the request is kept under it (bot.thanks.celebrations)."""
    return f"thanks:{team_id}:{request_key}"


def _credits(request: ThanksRequest, helper_ids: dict[str, None]) -> list[NewCredit]:
    parsed = request.parsed
    return [
        NewCredit(
            helper_id=helper_id,
            helped_id=request.thanker_id,
            kind="thanks",
            source_key=f"{thanks_key(request.team_id, request.request_key)}:{helper_id}",
            reason=parsed.reason or None,
            values=parsed.values,
            channel_id=request.channel_id,
            message_ts=request.message_ts,
            quotable=request.quotable,
            response_url=request.response_url,
        )
        for helper_id in helper_ids
    ]


def check_text(thanker_id: str, parsed: ParsedThanks) -> None:
    """The checks that need neither the database nor Slack: refuse before asking either."""
    if not parsed.user_ids and not parsed.groups:
        if parsed.unresolved_names:
            names = ", ".join(f"@{name}" for name in parsed.unresolved_names)
            raise NoRecipientError(
                f"I couldn't tell who {names} is. Pick people from the autocomplete "
                "when you type @, then send it again."
            )
        raise NoRecipientError(f"Who would you like to thank? {TRY}")
    if parsed.user_ids == (thanker_id,) and not parsed.groups:
        raise SelfCreditError(
            "You can't thank yourself, though it sounds like you did good work! "
            "Thank the people who helped you: `/thanks @someone for …`."
        )
    if len(parsed.user_ids) > MAX_RECIPIENTS:
        raise TooManyRecipientsError(
            f"That's {len(parsed.user_ids)} people; /thanks takes up to {MAX_RECIPIENTS} at "
            "once. Split them over a few messages, or thank their user group."
        )
    problem = length_problem(parsed.reason, MAX_REASON_LENGTH, "Your reason is")
    if problem is not None:
        raise ReasonTooLongError(problem)
