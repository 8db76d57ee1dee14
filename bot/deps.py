"""What listeners need besides the Slack request: the database, the clock, and what the
process remembers between requests.

A global middleware puts a `Deps` in Bolt's context under the name `deps`, and Bolt passes it
to every listener that takes a `deps` argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.api import ChannelKinds

# Good enough for the sandbox and the tests only: anyone can read it here. Deployments pass
# their own secret (see bot.privacy.forgotten for what it protects).
SANDBOX_PSEUDONYM_KEY = b"goodwill-sandbox-pseudonym-key"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utc_now)
    # Multi-workspace installs only: where the workspaces' tokens are kept.
    installations: InstallationStore | None = None
    # The secret that turns forgotten members' user IDs into pseudonyms (/favor forget-me).
    pseudonym_key: bytes = SANDBOX_PSEUDONYM_KEY
    # Which channels are public, for what the digest may quote.
    channel_kinds: ChannelKinds = field(default_factory=ChannelKinds)
