"""The admins' export: the workspace's whole ledger as CSV, streamed from the database.

Rows are read `EXPORT_BATCH` at a time (`yield_per`: a server-side cursor on PostgreSQL) and
written straight to the file the caller gives, so a ledger of a million rows never sits in
memory as rows.

Only what was said where the workspace could read it is exported with its words: a credit
whose reason stayed private (a favour logged privately, a thanks sent privately or in a
private channel, a reaction: `Credit.quotable` not true) exports who, when and how much,
with its reason and tags withheld, as the messages that recorded it promised. A member who
asked to be forgotten is named "a former member".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from bot.members.cache import FetchUser
from bot.models import Credit, Member
from bot.models.people import FORMER_MEMBER, is_pseudonym
from bot.settings.workspace import require_admin

EXPORT_BATCH = 2_000
# The reason cell of a credit whose words stayed private.
PRIVATE_REASON = "(private)"
COLUMNS = (
    "id",
    "helper_id",
    "helper_name",
    "helped_id",
    "helped_name",
    "kind",
    "weight",
    "reason",
    "values",
    "channel_id",
    "created_at",
    "retracted_at",
)
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets ("=HYPERLINK(…)"); a leading apostrophe makes it text (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_ADMINS_ONLY = (
    "Only workspace admins and owners can export the ledger, since it holds everyone's "
    "reasons. If you need a copy, ask one of them to type `/favor export`."
)


def authorize_export(
    session: Session, now: datetime, team_id: str, user_id: str, fetch_user: FetchUser
) -> None:
    """Nothing, for the workspace's admins and owners; NotAllowedError for anyone else."""
    require_admin(session, now, team_id, user_id, fetch_user, refusal=EXPORT_ADMINS_ONLY)


def export_filename(team_id: str, now: datetime) -> str:
    return f"goodwill-ledger-{team_id}-{now:%Y-%m-%d}.csv"


def write_ledger_csv(session: Session, team_id: str, out: TextIO) -> int:
    """Write the workspace's every credit, retracted ones included, oldest first, to `out`.

    Returns how many rows were written (the header aside).
    """
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in _ledger_rows(session, team_id):
        writer.writerow(_cells(row))
        count += 1
    return count


def _ledger_rows(session: Session, team_id: str) -> Iterable[Any]:
    helper, helped = aliased(Member), aliased(Member)
    query = (
        select(
            Credit.id,
            Credit.helper_id,
            helper.display_name.label("helper_display"),
            helper.real_name.label("helper_real"),
            helper.name.label("helper_handle"),
            Credit.helped_id,
            helped.display_name.label("helped_display"),
            helped.real_name.label("helped_real"),
            helped.name.label("helped_handle"),
            Credit.kind,
            Credit.weight,
            Credit.reason,
            Credit.values,
            Credit.quotable,
            Credit.channel_id,
            Credit.created_at,
            Credit.retracted_at,
        )
        .outerjoin(helper, and_(helper.team_id == team_id, helper.user_id == Credit.helper_id))
        .outerjoin(helped, and_(helped.team_id == team_id, helped.user_id == Credit.helped_id))
        .where(Credit.team_id == team_id)
        .order_by(Credit.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    return session.execute(query)


def _cells(row: Any) -> list[object]:
    public = row.quotable is True
    reason = row.reason or ""
    return [
        row.id,
        safe_cell(row.helper_id),
        safe_cell(_name(row.helper_id, row.helper_display, row.helper_real, row.helper_handle)),
        safe_cell(row.helped_id),
        safe_cell(_name(row.helped_id, row.helped_display, row.helped_real, row.helped_handle)),
        row.kind,
        row.weight,
        safe_cell(reason if public or not reason else PRIVATE_REASON),
        safe_cell(" ".join(f"#{value}" for value in row.values or ()) if public else ""),
        safe_cell(row.channel_id or ""),
        _instant(row.created_at),
        _instant(row.retracted_at),
    ]


def _name(user_id: str, display: str | None, real: str | None, handle: str | None) -> str:
    if is_pseudonym(user_id):
        return FORMER_MEMBER
    return display or real or handle or ""


def safe_cell(text: str) -> str:
    """`text`, made inert for spreadsheets: "=1+2" becomes "'=1+2"."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _instant(value: datetime | None) -> str:
    """ISO 8601 in UTC, e.g. 2026-11-23T10:00:00Z; empty for none."""
    if value is None:
        return ""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")
