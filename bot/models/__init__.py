"""The ledger's tables. The schema itself changes only through Alembic (migrations/).

One module per part of the product; everything is imported from here."""

from bot.models._base import NAMING_CONVENTION, Base, BigIntPK, UTCDateTime
from bot.models.boundaries import NOTE_MAX, BusySpell, PrivateNote
from bot.models.celebrations import CELEBRATION_LAYOUTS, Celebration
from bot.models.channels import ChannelArchival
from bot.models.ledger import CREDIT_KINDS, Credit, ProcessedEvent, ReactionMark
from bot.models.outbox import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxMessage, WorkspacePace
from bot.models.people import Member, MemberChannelList, Workspace, member_label
from bot.models.requests import REQUEST_KINDS, REQUEST_STATUSES, FavorRequest, FavorResponse
from bot.models.suggestions import (
    FULL_TEXT_INDEXES,
    FULL_TEXT_TABLES,
    AskSuggestions,
    MemberSkills,
    SuggestionNote,
)

__all__ = [
    "CELEBRATION_LAYOUTS",
    "CREDIT_KINDS",
    "FULL_TEXT_INDEXES",
    "FULL_TEXT_TABLES",
    "NAMING_CONVENTION",
    "NOTE_MAX",
    "OUTBOX_KINDS",
    "OUTBOX_STATUSES",
    "REQUEST_KINDS",
    "REQUEST_STATUSES",
    "AskSuggestions",
    "Base",
    "BigIntPK",
    "BusySpell",
    "Celebration",
    "ChannelArchival",
    "Credit",
    "FavorRequest",
    "FavorResponse",
    "Member",
    "MemberChannelList",
    "MemberSkills",
    "OutboxMessage",
    "PrivateNote",
    "ProcessedEvent",
    "ReactionMark",
    "SuggestionNote",
    "UTCDateTime",
    "Workspace",
    "WorkspacePace",
    "member_label",
]
