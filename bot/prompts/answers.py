"""Answering "Who helped you this week?": the people picked, then what each of them did.

Each answer is recorded exactly as the commands record it: public thanks through
`give_thanks` (as /thanks), a private favour through `log_favor` (as `/favor @a …`). The form
is one transaction: when any answer is refused, none is recorded, and every refusal is
reported beside its person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import (
    InputError,
    MissingTextError,
    NotAPersonError,
    PromptAnswersError,
    ReasonTooLongError,
    SelfCreditError,
    UnknownMemberError,
)
from bot.favours.log import FavorLogRequest, log_favor
from bot.favours.parsing import MAX_FAVOR_TEXT, FavorLog
from bot.members.cache import FetchUser, find_members, resolve_members, workspace_for
from bot.models import Credit
from bot.thanks.give import MAX_REASON_LENGTH, ThanksRequest, give_thanks
from bot.thanks.parsing import ParsedThanks, length_problem

# As many people as /thanks takes at once; the form has two fields for each.
MAX_PEOPLE = 10
MAX_WHAT = min(MAX_REASON_LENGTH, MAX_FAVOR_TEXT)
PUBLIC = "public"
FAVOR_SIZES = ("small", "medium", "big")

# Why a picked person is left out of the form.
SELF, BOT, INACTIVE, UNKNOWN = "self", "bot", "inactive", "unknown"


@dataclass(frozen=True)
class Person:
    user_id: str
    label: str


@dataclass(frozen=True)
class LeftOut:
    user_id: str
    label: str
    why: str  # SELF, BOT, INACTIVE or UNKNOWN


@dataclass(frozen=True)
class PickReview:
    """Who the form asks about, who was left out and why, and where public thanks go."""

    picked: tuple[str, ...]  # the selection the form was made for, up to MAX_PEOPLE
    people: tuple[Person, ...]
    left_out: tuple[LeftOut, ...]
    beyond_limit: int  # how many more were picked than the form takes
    public_channel_id: str | None


def review_picks(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    picked: Sequence[str],
    fetch_user: FetchUser,
) -> PickReview:
    """Sort the people picked into those the form asks about and those it can't credit."""
    ids = list(dict.fromkeys(picked))
    taken = ids[:MAX_PEOPLE]
    found = find_members(session, team_id, taken)
    people: list[Person] = []
    left_out: list[LeftOut] = []
    for picked_id in taken:
        member = found.get(picked_id)
        if member is None:
            try:
                member = resolve_members(session, team_id, [picked_id], fetch_user, now)[picked_id]
            except UnknownMemberError:
                left_out.append(LeftOut(picked_id, picked_id, UNKNOWN))
                continue
        why = SELF if picked_id == user_id else BOT if member.is_bot else None
        if why is None and member.is_deactivated:
            why = INACTIVE
        if why is None:
            people.append(Person(picked_id, member.label))
        else:
            left_out.append(LeftOut(picked_id, member.label, why))
    workspace = workspace_for(session, team_id)
    return PickReview(
        picked=tuple(taken),
        people=tuple(people),
        left_out=tuple(left_out),
        beyond_limit=len(ids) - len(taken),
        public_channel_id=workspace.digest_channel_id,
    )


@dataclass(frozen=True)
class Answer:
    helper_id: str
    what: str
    how: str  # PUBLIC, or a favour's size


@dataclass(frozen=True)
class PromptAnswers:
    team_id: str
    user_id: str  # who was helped: the person answering
    channel_id: str  # the DM the prompt came in
    # The form's view: the same form submitted twice is recorded once.
    view_id: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Recorded:
    answers: tuple[Answer, ...]
    already_recorded: bool
    public_channel_id: str | None

    @property
    def public(self) -> tuple[Answer, ...]:
        return tuple(a for a in self.answers if a.how == PUBLIC)


def thanks_request_key(view_id: str) -> str:
    """The request key of a form's public thanks, one for all its people (bot.thanks.give)."""
    return f"prompt:{view_id}"


def thanks_key(team_id: str, view_id: str, helper_id: str) -> str:
    # What give_thanks makes of thanks_request_key.
    return f"thanks:{team_id}:{thanks_request_key(view_id)}:{helper_id}"


def favor_key(team_id: str, view_id: str, helper_id: str) -> str:
    return f"favor:{team_id}:prompt:{view_id}:{helper_id}"


def record_answers(
    session: Session, now: datetime, request: PromptAnswers, fetch_user: FetchUser
) -> Recorded:
    """Record every answer, or none: refusals are raised together, person by person."""
    workspace = workspace_for(session, request.team_id)
    if _seen(session, request):
        return Recorded(request.answers, True, workspace.digest_channel_id)
    recorded: list[Answer] = []
    new = False
    problems: dict[str, InputError] = {}
    for answer in request.answers:
        try:
            done, first_time = _record(session, now, request, answer, fetch_user)
        except InputError as error:
            # Refusals come before anything is written for that person; the rest are still
            # checked so the form can show every problem at once.
            problems[answer.helper_id] = error
            continue
        recorded.append(done)
        new = new or first_time
    if problems:
        raise PromptAnswersError(problems)
    # Not new when a copy of this submission, arriving at the same moment, recorded it first.
    return Recorded(tuple(recorded), not new, workspace.digest_channel_id)


def _seen(session: Session, request: PromptAnswers) -> bool:
    """Whether this form was recorded before, whichever choices it carried then."""
    keys = [
        key(request.team_id, request.view_id, answer.helper_id)
        for answer in request.answers
        for key in (thanks_key, favor_key)
    ]
    return (
        bool(keys)
        and session.scalar(select(Credit.id).where(Credit.source_key.in_(keys)).limit(1))
        is not None
    )


def _record(
    session: Session, now: datetime, request: PromptAnswers, answer: Answer, fetch_user: FetchUser
) -> tuple[Answer, bool]:
    """One answer recorded as the command would; and whether it was new."""
    what = " ".join(answer.what.split())
    if not what:
        raise MissingTextError("Say in a few words what they did, so they know what it's for.")
    problem = length_problem(what, MAX_WHAT)
    if problem is not None:
        raise ReasonTooLongError(problem)
    if answer.helper_id == request.user_id:
        raise SelfCreditError("You can't thank yourself here. Pick the people who helped you.")
    people = resolve_members(
        session, request.team_id, (answer.helper_id, request.user_id), fetch_user, now
    )
    helper = people[answer.helper_id]
    # The commands' own refusals suggest what to type; in the form, say what to do there.
    if helper.is_bot:
        raise NotAPersonError(f"{helper.label} is a bot, and bots don't need thanks.")
    if helper.is_deactivated:
        raise NotAPersonError(
            f"{helper.label} is no longer active in this workspace, so they can't be thanked here."
        )
    if answer.how == PUBLIC:
        thanked = give_thanks(
            session,
            now,
            ThanksRequest(
                team_id=request.team_id,
                thanker_id=request.user_id,
                channel_id=request.channel_id,
                parsed=ParsedThanks(user_ids=(answer.helper_id,), reason=what, values=()),
                request_key=thanks_request_key(request.view_id),
                # Celebrated in the digest channel itself, where the digest quotes it; without
                # one, it goes to the person alone.
                quotable=workspace_for(session, request.team_id).digest_channel_id is not None,
            ),
            fetch_user,
        )
        return Answer(answer.helper_id, what, PUBLIC), not thanked.already_recorded
    size = answer.how if answer.how in FAVOR_SIZES else "small"
    logged = log_favor(
        session,
        now,
        FavorLogRequest(
            team_id=request.team_id,
            user_id=request.user_id,
            channel_id=request.channel_id,
            parsed=FavorLog(answer.helper_id, what, size),
            request_key=f"prompt:{request.view_id}:{answer.helper_id}",
        ),
        fetch_user,
    )
    return Answer(answer.helper_id, what, size), not logged.already_recorded
