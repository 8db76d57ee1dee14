"""Workspace settings that admins change from Slack; everyone may read them.

The settings form (`/favor settings`, the Home's Edit settings) arrives as text and choices;
`check_workspace_form` turns it into `WorkspaceSettings`, or names every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from bot.errors import InvalidSettingsError, NotAllowedError
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.models import Member, Workspace
from bot.reactions.emoji import base_emoji
from bot.suggestions.search import DEFAULT_LANGUAGE, LANGUAGES

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")

# The workspace form's fields. Their names are the form's block ids too, so that a problem
# is shown under the field it is about.
DIGEST_CHANNEL = "digest_channel"
DIGEST_WEEKDAY = "digest_weekday"
DIGEST_HOUR = "digest_hour"
TIMEZONE = "timezone"
QUIET_MENTIONS = "quiet_mentions"
CREDIT_EMOJI = "credit_emoji"
PAIR_DAILY_CAP = "pair_daily_cap"
GROUP_THANKS_MAX = "group_thanks_max"
HALF_LIFE_DAYS = "half_life_days"
NUDGE_PAIR_MIN_WEIGHT = "nudge_pair_min_weight"
NUDGE_ASK_TOO_MIN_PEOPLE = "nudge_ask_too_min_people"
NUDGE_GIVE_BACK_MIN_PEOPLE = "nudge_give_back_min_people"
PROMPT_WEEKDAY = "prompt_weekday"
PROMPT_HOUR = "prompt_hour"
ASK_EXPIRY_DAYS = "ask_expiry_days"
SEARCH_LANGUAGE = "search_language"  # matching asks with helpers (bot.suggestions.search)

# Whole numbers the form asks for, with the range each may take.
NUMBER_RANGES = {
    PAIR_DAILY_CAP: (1, 50),
    GROUP_THANKS_MAX: (1, 500),
    HALF_LIFE_DAYS: (1, 1000),
    NUDGE_PAIR_MIN_WEIGHT: (1, 100),
    NUDGE_ASK_TOO_MIN_PEOPLE: (1, 100),
    NUDGE_GIVE_BACK_MIN_PEOPLE: (1, 100),
    ASK_EXPIRY_DAYS: (1, 365),
}
MAX_CREDIT_EMOJI = 10
MAX_EMOJI_NAME = 100  # reaction_marks.emoji
MAX_TIMEZONE = 64  # workspaces.timezone
# Slack's emoji names: lower-case letters, digits, and - _ + ' (as in +1, t-rex).
_EMOJI_NAME = re.compile(r"[a-z0-9_+'-]+")
_EMOJI_SEPARATORS = re.compile(r"[\s,]+")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")

DIGEST_ADMINS_ONLY = (
    "Only workspace admins and owners can change where the digest goes. Ask one of "
    "them to type `/favor digest here` in the channel you have in mind."
)


def is_admin(member: Member) -> bool:
    """Workspace admins and owners (from the members cache) may change workspace settings."""
    return member.is_admin or member.is_owner


def require_admin(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    fetch_user: FetchUser,
    refusal: str = DIGEST_ADMINS_ONLY,
) -> Workspace:
    """The workspace, if `user_id` is one of its admins or owners; NotAllowedError (saying
    `refusal`) if not."""
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    if not is_admin(member):
        raise NotAllowedError(refusal)
    return workspace_for(session, team_id)


def set_digest_channel(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    fetch_user: FetchUser,
) -> Workspace:
    """Point the weekly digest at `channel_id`, or stop it with None (admins only)."""
    workspace = require_admin(session, now, team_id, user_id, fetch_user)
    workspace.digest_channel_id = channel_id
    return workspace


def digest_schedule(workspace: Workspace) -> str:
    """'Mondays at 09:00 (Europe/Oslo)'."""
    day = WEEKDAYS[workspace.digest_weekday]
    return f"{day} at {workspace.digest_hour:02d}:00 ({workspace.timezone})"


@dataclass(frozen=True)
class WorkspaceSettings:
    """The workspace's settings, as its row holds them (names are the row's columns)."""

    digest_channel_id: str | None
    digest_weekday: int
    digest_hour: int
    timezone: str
    quiet_mentions: bool
    credit_emoji: tuple[str, ...]
    pair_daily_cap: int
    group_thanks_max: int
    half_life_days: int
    nudge_pair_min_weight: int
    nudge_ask_too_min_people: int
    nudge_give_back_min_people: int
    prompt_weekday: int
    prompt_hour: int
    ask_expiry_days: int
    search_language: str = DEFAULT_LANGUAGE

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceSettings:
        values = {field.name: getattr(workspace, field.name) for field in fields(cls)}
        values["credit_emoji"] = tuple(workspace.credit_emoji or ())
        return cls(**values)

    def apply_to(self, workspace: Workspace) -> None:
        for field in fields(self):
            setattr(workspace, field.name, getattr(self, field.name))
        workspace.credit_emoji = list(self.credit_emoji)


@dataclass(frozen=True)
class WorkspaceForm:
    """The workspace settings as typed and picked in the form, not yet checked."""

    digest_channel_id: str | None
    quiet_mentions: bool
    answers: Mapping[str, str | None]  # by field name: weekdays, hours, zone, emoji, numbers


def check_workspace_form(form: WorkspaceForm) -> WorkspaceSettings:
    """The settings the form asks for, or InvalidSettingsError naming every problem."""
    problems: dict[str, str] = {}

    def choice(name: str, values: range, what: str) -> int:
        answer = _whole(form.answers.get(name))
        if answer is not None and answer in values:
            return answer
        problems[name] = f"Pick {what} from the list."
        return values.start

    def number(name: str) -> int:
        low, high = NUMBER_RANGES[name]
        answer = _whole(form.answers.get(name))
        if answer is not None and low <= answer <= high:
            return answer
        problems[name] = f"Type a whole number from {low} to {high}."
        return low

    settings = WorkspaceSettings(
        digest_channel_id=form.digest_channel_id or None,
        digest_weekday=choice(DIGEST_WEEKDAY, range(7), "a day"),
        digest_hour=choice(DIGEST_HOUR, range(24), "an hour"),
        timezone=_timezone(form.answers.get(TIMEZONE), problems),
        quiet_mentions=form.quiet_mentions,
        credit_emoji=_credit_emoji(form.answers.get(CREDIT_EMOJI), problems),
        pair_daily_cap=number(PAIR_DAILY_CAP),
        group_thanks_max=number(GROUP_THANKS_MAX),
        half_life_days=number(HALF_LIFE_DAYS),
        nudge_pair_min_weight=number(NUDGE_PAIR_MIN_WEIGHT),
        nudge_ask_too_min_people=number(NUDGE_ASK_TOO_MIN_PEOPLE),
        nudge_give_back_min_people=number(NUDGE_GIVE_BACK_MIN_PEOPLE),
        prompt_weekday=choice(PROMPT_WEEKDAY, range(7), "a day"),
        prompt_hour=choice(PROMPT_HOUR, range(24), "an hour"),
        ask_expiry_days=number(ASK_EXPIRY_DAYS),
        search_language=LANGUAGES[choice(SEARCH_LANGUAGE, range(len(LANGUAGES)), "a language")],
    )
    if problems:
        raise InvalidSettingsError(problems)
    return settings


def _whole(answer: str | None) -> int | None:
    text = (answer or "").strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def _timezone(answer: str | None, problems: dict[str, str]) -> str:
    name = (answer or "").strip()
    if name and len(name) <= MAX_TIMEZONE:
        if _is_zone(name):
            return name
        # "europe/oslo" is meant as Europe/Oslo; only a miss pays for listing the zones.
        found = [zone for zone in available_timezones() if zone.casefold() == name.casefold()]
        if len(found) == 1:
            return found[0]
    problems[TIMEZONE] = (
        "Type a time zone name such as Europe/Oslo, America/New_York or UTC."
        if name
        else "Type a time zone, such as Europe/Oslo or UTC."
    )
    return "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _credit_emoji(answer: str | None, problems: dict[str, str]) -> tuple[str, ...]:
    names = tuple(
        dict.fromkeys(
            base_emoji(word) for word in _EMOJI_SEPARATORS.split(answer or "") if word.strip(":")
        )
    )
    bad = [name for name in names if not _EMOJI_NAME.fullmatch(name) or len(name) > MAX_EMOJI_NAME]
    if not names:
        problems[CREDIT_EMOJI] = "Type at least one emoji name, such as pray, raised_hands."
    elif bad:
        problems[CREDIT_EMOJI] = (
            f"“{bad[0][:40]}” isn't an emoji name. Use the names Slack shows, made of "
            "lower-case letters, digits, - and _, separated by commas."
        )
    elif len(names) > MAX_CREDIT_EMOJI:
        problems[CREDIT_EMOJI] = f"Up to {MAX_CREDIT_EMOJI} emoji, please; that's {len(names)}."
    return names
