"""Settings: each member's own switches, and saving the settings form, which holds those,
the workspace's settings (admins only), or both.

Personal settings are stored as what a person turned off (`members.nudges_opt_out`, …), so
that everything is on until someone says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.digest.plan import redo_pending_digests
from bot.errors import InvalidSettingsError, NotAllowedError
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.models import Member
from bot.scheduler.planned import plan_again
from bot.settings.workspace import (
    DIGEST_CHANNEL,
    WorkspaceForm,
    WorkspaceSettings,
    check_workspace_form,
    digest_schedule,
    is_admin,
)

# Personal settings, by name, and the column that records each one being off.
NUDGES, PROMPTS, DIGEST_MENTIONS, REACTION_CONFIRMATIONS, SUGGESTIONS = (
    "nudges",
    "prompts",
    "digest_mentions",
    "reaction_confirmations",
    "suggestions",  # suggest me as a helper (bot.suggestions)
)
_OFF_COLUMNS = {
    NUDGES: "nudges_opt_out",
    PROMPTS: "prompts_opt_out",
    DIGEST_MENTIONS: "digest_mentions_opt_out",
    REACTION_CONFIRMATIONS: "reaction_confirmations_off",
    SUGGESTIONS: "suggestions_opt_out",
}
PERSONAL_SETTINGS = tuple(_OFF_COLUMNS)

WORKSPACE_ADMINS_ONLY = (
    "Only workspace admins and owners can change the workspace's settings. "
    "Your own settings are on your Goodwill Home."
)

# Posts the digest's announcement in a channel: None when it is there, or Slack's error code.
Announce = Callable[[str, str], str | None]


@dataclass(frozen=True)
class PersonalSettings:
    """What a member gets from Goodwill, each on unless they turned it off."""

    nudges: bool = True
    prompts: bool = True
    digest_mentions: bool = True
    reaction_confirmations: bool = True
    suggestions: bool = True

    @classmethod
    def of(cls, member: Member) -> PersonalSettings:
        return cls(**{name: not getattr(member, column) for name, column in _OFF_COLUMNS.items()})


@dataclass(frozen=True)
class SettingsForm:
    """A submitted settings form: the member's own part, the workspace's part, or both."""

    personal: PersonalSettings | None
    workspace: WorkspaceForm | None


@dataclass(frozen=True)
class Settings:
    """What the settings form shows a member: the workspace's part only to admins."""

    personal: PersonalSettings
    workspace: WorkspaceSettings | None


def settings_for(
    session: Session, now: datetime, team_id: str, user_id: str, fetch_user: FetchUser
) -> Settings:
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    workspace = WorkspaceSettings.of(workspace_for(session, team_id)) if is_admin(member) else None
    return Settings(PersonalSettings.of(member), workspace)


def workspace_settings_for(
    session: Session, now: datetime, team_id: str, user_id: str, fetch_user: FetchUser
) -> WorkspaceSettings:
    """The workspace's settings, for an admin about to change them; NotAllowedError if not."""
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    if not is_admin(member):
        raise NotAllowedError(WORKSPACE_ADMINS_ONLY)
    return WorkspaceSettings.of(workspace_for(session, team_id))


def set_personal_setting(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    name: str,
    on: bool,
    fetch_user: FetchUser,
) -> PersonalSettings:
    """Turn one of the member's own settings on or off. Setting it to what it is already (a
    double click) changes nothing.

    Nudges and prompts already planned are checked when they are sent; a digest already
    planned is built again here, so that it names the member, or not, as they now wish.
    """
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    column = _OFF_COLUMNS[name]
    changed = getattr(member, column) == on
    setattr(member, column, not on)
    if changed and name == DIGEST_MENTIONS:
        redo_pending_digests(session, workspace_for(session, team_id))
    if changed and on and name in (NUDGES, PROMPTS):
        plan_again(session, team_id)  # one due now comes now, not at its next time
    return PersonalSettings.of(member)


def save_settings(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    form: SettingsForm,
    fetch_user: FetchUser,
    announce: Announce,
) -> Settings:
    """Save a submitted settings form, all of it or (on any problem) none of it.

    A new digest channel is announced in it last, before the transaction commits, as
    `/favor digest here` does: that tells the channel and proves Goodwill may post there, and
    a channel it may not post in is refused with nothing saved. (The announcement is the only
    Slack call; should the commit fail after it, the channel has heard of a digest early.)
    """
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    workspace = workspace_for(session, team_id)
    naming = (member.digest_mentions_opt_out, workspace.quiet_mentions)
    checked = None
    if form.workspace is not None:
        if not is_admin(member):
            raise NotAllowedError(WORKSPACE_ADMINS_ONLY)
        checked = check_workspace_form(form.workspace)
    if form.personal is not None:
        turned_on = [
            name
            for name in (NUDGES, PROMPTS)
            if getattr(member, _OFF_COLUMNS[name]) and getattr(form.personal, name)
        ]
        for name, column in _OFF_COLUMNS.items():
            setattr(member, column, not getattr(form.personal, name))
        if turned_on:
            plan_again(session, team_id)
    if checked is not None:
        previous_channel = workspace.digest_channel_id
        checked.apply_to(workspace)
        channel = checked.digest_channel_id
        if channel is not None and channel != previous_channel:
            refused = announce(channel, digest_schedule(workspace))
            if refused is not None:
                raise InvalidSettingsError({DIGEST_CHANNEL: _cannot_post(refused)})
    if (member.digest_mentions_opt_out, workspace.quiet_mentions) != naming:
        redo_pending_digests(session, workspace)
    return Settings(
        PersonalSettings.of(member),
        WorkspaceSettings.of(workspace) if is_admin(member) else None,
    )


def _cannot_post(error: str) -> str:
    if error == "is_archived":
        return "That channel is archived. Pick another one."
    if error in ("not_in_channel", "channel_not_found"):
        return (
            "I can't post in that channel. Invite me there first with /invite @Goodwill, "
            "or pick a public channel."
        )
    return "I couldn't post in that channel just now. Please try again in a minute."
