"""`/favor forget-me`: remove a member's words and profile, and anonymise their ledger rows.

What is removed, in one transaction:

- every reason on an entry they are part of, as helper or helped: the reasons they wrote, and
  the reasons others wrote about them (which describe them, and often name them);
- the words of their asks and offers (open ones are withdrawn), and mentions of them
  (`<@U…>`) in other people's reasons, asks and offers, which read "someone" instead;
- their profile in the members cache (names, time zone), kept empty from then on
  (`bot.privacy.forgotten`), and their settings, all set to off: no nudges, prompts, digest
  mentions or reaction confirmations, since they asked Goodwill to stop knowing them; and
  the list of channels they are in (bot.channels.member_channels);
- their private notes, the notes others kept about them (mentions of them in other notes
  read "someone"), and their capacity (`/favor busy`), also where others named them;
- their reaction records, and the content of messages scheduled to them or about them
  (those not sent yet are cancelled);
- what Goodwill kept of the thanks messages it posted (bot.thanks.celebrations): those of
  their thanks go, and they are taken off the others' (a later undo no longer names them).

What stays, anonymised: the ledger rows themselves, with their user ID replaced by a pseudonym
in credits, asks and offers, answers and the outbox, so that other people's balances keep
counting. Whatever could tie a row back to a Slack message (channel, message ts, the
idempotency key, reaction records) is cleared too. Kind, weight, values and time stay.

Running it again removes only what was added since, so a second click is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.busy.rules import forget_busy
from bot.channels.member_channels import forget_channels
from bot.db import insert_new
from bot.errors import NotAllowedError
from bot.members.cache import ensure_workspace
from bot.models import Credit, Member
from bot.notes.rules import forget_notes
from bot.privacy.forget_rows import MessageRef, forget_activity
from bot.privacy.forgotten import FORGOTTEN_LABEL, FORGOTTEN_PROFILE, NEVER_SYNCED, pseudonym
from bot.thanks.celebrations import forget_celebrations

__all__ = ["Forgotten", "MessageRef", "forget_member"]

_OPT_OUTS = {
    "nudges_opt_out": True,
    "prompts_opt_out": True,
    "digest_mentions_opt_out": True,
    "reaction_confirmations_off": True,
}


@dataclass(frozen=True)
class Forgotten:
    """What `forget_member` removed, for the person to read."""

    pseudonym: str
    profile_removed: bool
    reasons_removed: int
    entries_anonymised: int
    requests_cleared: int
    requests_withdrawn: int
    answers: int
    reaction_records: int
    mentions_removed: int
    scheduled_messages: int
    # Goodwill's own Slack messages that still show their words or answer: to be cleared.
    messages: tuple[MessageRef, ...]
    notes_removed: int = 0  # the private notes they wrote

    @property
    def anything(self) -> bool:
        counts = (
            self.reasons_removed,
            self.entries_anonymised,
            self.requests_cleared,
            self.answers,
            self.reaction_records,
            self.mentions_removed,
            self.scheduled_messages,
            self.notes_removed,
        )
        return self.profile_removed or any(counts)


def forget_member(
    session: Session, now: datetime, key: bytes, team_id: str, requester_id: str, member_id: str
) -> Forgotten:
    """Forget `member_id` at their own request (`requester_id` must be them)."""
    if requester_id != member_id:
        raise NotAllowedError(
            f"That button is for <@{member_id}>: only they can ask to be forgotten. To be "
            "forgotten yourself, type `/favor forget-me`."
        )
    alias = pseudonym(key, team_id, member_id)
    ensure_workspace(session, team_id)
    names, profile_removed = _clear_profile(session, team_id, member_id)
    forget_channels(session, team_id, member_id)
    forget_busy(session, team_id, member_id)
    notes = forget_notes(session, team_id, member_id)
    forget_celebrations(session, team_id, member_id)
    insert_new(
        session,
        Member,
        [
            {
                "team_id": team_id,
                "user_id": alias,
                **FORGOTTEN_PROFILE,
                "real_name": FORGOTTEN_LABEL,
                # Nobody can credit, nudge or mention a pseudonym.
                "is_deactivated": True,
                **_OPT_OUTS,
            }
        ],
        ["team_id", "user_id"],
    )
    reasons, entries = _anonymise_credits(session, team_id, member_id, alias)
    activity = forget_activity(session, now, team_id, member_id, alias, names)
    return Forgotten(
        pseudonym=alias,
        profile_removed=profile_removed,
        reasons_removed=reasons,
        entries_anonymised=entries,
        requests_cleared=activity.requests_cleared,
        requests_withdrawn=activity.requests_withdrawn,
        answers=activity.answers,
        reaction_records=activity.reaction_records,
        mentions_removed=activity.mentions_removed,
        scheduled_messages=activity.scheduled_messages,
        messages=activity.messages,
        notes_removed=notes,
    )


def _clear_profile(session: Session, team_id: str, member_id: str) -> tuple[tuple[str, ...], bool]:
    """Empty their members row, creating it if the cache never had them. Returns the names it
    held (to find them in scheduled messages) and whether there was a profile to remove.

    The row is locked first, so two clicks at once take turns and the second finds nothing.
    """
    insert_new(
        session,
        Member,
        [{"team_id": team_id, "user_id": member_id, "synced_at": NEVER_SYNCED}],
        ["team_id", "user_id"],
    )
    member = session.scalars(
        select(Member)
        .where(Member.team_id == team_id, Member.user_id == member_id)
        .with_for_update()
    ).one()
    names = tuple(n for n in (member.name, member.real_name, member.display_name) if n)
    removed = bool(names) or member.synced_at > NEVER_SYNCED
    for field, value in {**FORGOTTEN_PROFILE, **_OPT_OUTS}.items():
        setattr(member, field, value)
    session.flush()
    return names, removed


def _anonymise_credits(
    session: Session, team_id: str, member_id: str, alias: str
) -> tuple[int, int]:
    """Their side of every credit becomes `alias`; reasons and message pointers go."""
    theirs = (
        Credit.team_id == team_id,
        or_(Credit.helper_id == member_id, Credit.helped_id == member_id),
    )
    reasons = session.scalar(
        select(func.count()).select_from(Credit).where(*theirs, Credit.reason.is_not(None))
    )
    changed = session.execute(
        update(Credit)
        .where(*theirs)
        .values(
            helper_id=case((Credit.helper_id == member_id, alias), else_=Credit.helper_id),
            helped_id=case((Credit.helped_id == member_id, alias), else_=Credit.helped_id),
            reason=None,
            reason_key=None,
            channel_id=None,
            message_ts=None,
            # Keys name the Slack message or request a credit came from; a new unique one
            # names nothing.
            source_key=literal("forgotten:") + cast(Credit.id, String),
        )
        .returning(Credit.id)
        .execution_options(synchronize_session=False)
    ).all()
    return reasons or 0, len(changed)
