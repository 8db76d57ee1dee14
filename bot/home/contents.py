"""A member's App Home: their reciprocity map, last entries, open asks and offers, settings,
and for admins the workspace's settings and the messages that could not be delivered.

`home_for` is the one read behind `app_home_opened`: a handful of indexed queries, each
bounded by what the Home shows (the member's own 90 days of credits, aggregated by the
database per counterpart; their last entries; their open requests; for admins, the last two
weeks' failed deliveries), so its cost follows the member and not the workspace. The other
functions change something first and answer with the Home as it is afterwards, in the same
transaction, so that the Home a click re-publishes shows the click.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.asks.closing import Closed, withdraw_request
from bot.asks.requests import NearbyRequest, RequestInfo, open_requests, requests_nearby
from bot.balance.exchanges import PairBalance, pair_page
from bot.balance.history import Entry, recent_entries
from bot.busy.parsing import ThisWeek
from bot.busy.rules import Busy, busy_status, set_available, set_busy
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.models import OutboxMessage
from bot.notes.rules import Note, latest_notes
from bot.settings.personal import (
    Announce,
    PersonalSettings,
    SettingsForm,
    save_settings,
    set_personal_setting,
)
from bot.settings.workspace import WorkspaceSettings, is_admin
from bot.suggestions.skills import skills_of

MAP_WINDOW = timedelta(days=90)
PEOPLE_SHOWN = 12
ENTRIES_SHOWN = 8
REQUESTS_SHOWN = 5
NEARBY_SHOWN = 5
FAILURES_SHOWN = 5
NOTES_SHOWN = 8
FAILURE_WINDOW = timedelta(days=14)
FAILED_STATUSES = ("failed", "uncertain")


@dataclass(frozen=True)
class DeliveryFailure:
    """A scheduled message the sender could not deliver, or may not have delivered."""

    kind: str  # digest, nudge, prompt
    status: str  # failed, uncertain
    channel_id: str
    recipient_id: str | None
    error: str
    due_at: datetime


@dataclass(frozen=True)
class AdminPanel:
    settings: WorkspaceSettings
    failures: list[DeliveryFailure]
    failures_total: int


@dataclass(frozen=True)
class Home:
    member_id: str
    half_life_days: int
    credit_emoji: tuple[str, ...]
    window_days: int
    pairs: list[PairBalance]  # the largest exchanges, at most PEOPLE_SHOWN
    people_total: int
    people_helped: int  # people the member helped within the window
    people_helping: int  # people who helped the member within the window
    entries: list[Entry]
    requests: list[RequestInfo]
    requests_total: int
    # Other people's open asks and offers in the member's channels.
    nearby: list[NearbyRequest]
    nearby_total: int
    personal: PersonalSettings
    admin: AdminPanel | None
    busy: Busy | None = None  # at capacity: until when, whom they named
    notes: tuple[Note, ...] = ()  # their newest private notes, at most NOTES_SHOWN
    notes_total: int = 0
    notice: str | None = None  # what became of the click that led here
    good_news: bool = False  # the notice says a click did what it should (not a refusal)
    skills: tuple[str, ...] = ()  # what the member listed with `/favor skills`

    @property
    def note_by_person(self) -> dict[str, str]:
        return {note.subject_id: note.text for note in self.notes}

    @property
    def first_run(self) -> bool:
        """Nothing recorded and nothing open yet: the Home explains how to begin instead."""
        return not (self.entries or self.requests_total)


def home_for(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    fetch_user: FetchUser,
    *,
    channel_ids: Collection[str] = (),
    notice: str | None = None,
    good_news: bool = False,
) -> Home:
    """`channel_ids`: the channels the member is in (from Slack), for the asks and offers
    there; empty when Slack would not say."""
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    workspace = workspace_for(session, team_id)
    page = pair_page(
        session,
        team_id,
        user_id,
        now,
        workspace.half_life_days,
        limit=PEOPLE_SHOWN,
        since=now - MAP_WINDOW,
    )
    requests, requests_total = open_requests(session, team_id, user_id, REQUESTS_SHOWN)
    nearby, nearby_total = requests_nearby(session, team_id, user_id, channel_ids, NEARBY_SHOWN)
    notes, notes_total = latest_notes(session, team_id, user_id, NOTES_SHOWN)
    admin = None
    if is_admin(member):
        failures, failures_total = delivery_failures(session, team_id, now)
        admin = AdminPanel(WorkspaceSettings.of(workspace), failures, failures_total)
    return Home(
        member_id=user_id,
        half_life_days=workspace.half_life_days,
        credit_emoji=tuple(workspace.credit_emoji or ()),
        window_days=MAP_WINDOW.days,
        pairs=page.pairs,
        people_total=page.total,
        people_helped=page.helped,
        people_helping=page.helping,
        entries=recent_entries(session, team_id, user_id, ENTRIES_SHOWN),
        requests=requests,
        requests_total=requests_total,
        nearby=nearby,
        nearby_total=nearby_total,
        personal=PersonalSettings.of(member),
        skills=tuple(skills_of(session, team_id, user_id)),
        admin=admin,
        busy=busy_status(session, team_id, user_id, now),
        notes=tuple(notes),
        notes_total=notes_total,
        notice=notice,
        good_news=good_news,
    )


def delivery_failures(
    session: Session, team_id: str, now: datetime, limit: int = FAILURES_SHOWN
) -> tuple[list[DeliveryFailure], int]:
    """The newest messages of the last two weeks that failed or may not have arrived, and how
    many there were. Read through the sender's (status, due_at) index."""
    total = func.count().over().label("total")
    rows = session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.channel_id,
            OutboxMessage.recipient_id,
            OutboxMessage.error,
            OutboxMessage.due_at,
            total,
        )
        .where(
            OutboxMessage.status.in_(FAILED_STATUSES),
            OutboxMessage.due_at >= now - FAILURE_WINDOW,
            OutboxMessage.team_id == team_id,
        )
        .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    failures = [
        DeliveryFailure(
            row.kind, row.status, row.channel_id, row.recipient_id, row.error or "", row.due_at
        )
        for row in rows
    ]
    return failures, (rows[0].total if rows else 0)


def toggle_and_show(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    setting: str,
    on: bool,
    fetch_user: FetchUser,
    channel_ids: Collection[str] = (),
) -> Home:
    """A setting's button on the Home: set it, and show the Home with it set."""
    set_personal_setting(session, now, team_id, user_id, setting, on, fetch_user)
    return home_for(session, now, team_id, user_id, fetch_user, channel_ids=channel_ids)


def withdraw_and_show(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    public_id: str,
    fetch_user: FetchUser,
    channel_ids: Collection[str] = (),
) -> tuple[Closed, Home]:
    """Withdraw on the Home: close the ask or offer, and show the Home without it."""
    closed = withdraw_request(session, now, team_id, public_id, user_id)
    return closed, home_for(session, now, team_id, user_id, fetch_user, channel_ids=channel_ids)


def save_and_show(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    form: SettingsForm,
    fetch_user: FetchUser,
    announce: Announce,
    channel_ids: Collection[str] = (),
) -> Home:
    """The settings form submitted: save it, and show the Home with the new settings."""
    save_settings(session, now, team_id, user_id, form, fetch_user, announce)
    return home_for(session, now, team_id, user_id, fetch_user, channel_ids=channel_ids)


def capacity_and_show(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    busy: bool,
    fetch_user: FetchUser,
    channel_ids: Collection[str] = (),
) -> Home:
    """The Home's capacity button: at capacity until the end of the week, or available again;
    the Home shows it."""
    if busy:
        set_busy(session, now, team_id, user_id, ThisWeek(), None, fetch_user)
    else:
        set_available(session, now, team_id, user_id)
    return home_for(session, now, team_id, user_id, fetch_user, channel_ids=channel_ids)
