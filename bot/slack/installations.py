"""Multi-workspace installs: slack_sdk's SQLAlchemy stores on Goodwill's own database.

Their tables are declared here, in a metadata of their own, so that Alembic creates and
checks them like every other table (migrations/, never `create_tables()` at runtime).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, MetaData, exc

log = logging.getLogger(__name__)

SLACK_METADATA = MetaData()
SQLAlchemyInstallationStore.build_installations_table(
    metadata=SLACK_METADATA, table_name=SQLAlchemyInstallationStore.default_installations_table_name
)
SQLAlchemyInstallationStore.build_bots_table(
    metadata=SLACK_METADATA, table_name=SQLAlchemyInstallationStore.default_bots_table_name
)
SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata=SLACK_METADATA, table_name=SQLAlchemyOAuthStateStore.default_table_name
)

# An OAuth state is good for one install attempt, for ten minutes.
STATE_EXPIRATION_SECONDS = 600
# Rotating tokens are refreshed this long before they expire.
REFRESH_MINUTES_BEFORE_EXPIRY = 120
# The tokens whose auth.test answer is kept: one per workspace serving now, and a rotated
# token's successor. The least recently used go first.
AUTHORIZED_KEPT = 10_000

# What the store failed with while authorizing the request of this context, if it did.
_store_failure: ContextVar[exc.SQLAlchemyError | None] = ContextVar("store_failure", default=None)


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, telling Goodwill's authorize when the database failed it."""

    def find_bot(self, **kwargs: Any) -> Bot | None:
        try:
            return super().find_bot(**kwargs)
        except exc.SQLAlchemyError as error:
            _store_failure.set(error)
            raise


def installation_store(client_id: str, engine: Engine) -> InstallationStore:
    return InstallationStore(client_id=client_id, engine=engine)


class InstallationAuthorize(InstallationStoreAuthorize):
    """Bolt's authorize from the installation store, for a service that answers people.

    - Each token's auth.test answer is kept (Bolt's cache, bounded here): otherwise every
      request waits on a call to Slack before any listener runs.
    - A store that cannot be read is a failure, not a missing installation: Bolt takes any
      error of find_bot for "not installed" and tells the person to install the app; this
      raises the database's error instead, which the app's error handler answers with
      "nothing was recorded, try again in a moment" (bot.slack.failures).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cache_enabled=True, **kwargs)
        self.authorize_result_cache = _Recent(AUTHORIZED_KEPT)

    def __call__(self, *, context: BoltContext, **kwargs: Any) -> AuthorizeResult | None:
        _store_failure.set(None)
        result: AuthorizeResult | None = super().__call__(context=context, **kwargs)
        failure = _store_failure.get()
        if result is None and failure is not None:
            raise failure
        return result


class _Recent(OrderedDict[str, AuthorizeResult]):
    """A mapping that keeps its `most` most recently used entries, for any thread."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            if not super().__contains__(key):
                return False
            self.move_to_end(key)  # type: ignore[arg-type]
            return True

    def __getitem__(self, key: str) -> AuthorizeResult:
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key: str, value: AuthorizeResult) -> None:
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.most:
                self.popitem(last=False)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine)


class InstalledClients:
    """A Web API client per installed workspace, for the scheduler's sender.

    Bolt refreshes rotating tokens for requests it serves; scheduled jobs have no request, so
    they refresh here, before the token runs out, and save the new one for everyone.
    """

    def __init__(
        self,
        store: SQLAlchemyInstallationStore,
        client_id: str,
        client_secret: str,
        make_client: Callable[[str | None], WebClient],
    ) -> None:
        self.store = store
        self.make_client = make_client
        self.rotator = TokenRotator(
            client_id=client_id, client_secret=client_secret, client=make_client(None)
        )
        # The sender's threads share this: one of them refreshes a token, the others then
        # read the new one instead of spending the same refresh token again.
        self._refreshing = threading.Lock()

    def __call__(self, team_id: str) -> WebClient:
        bot = self._find(team_id)
        if bot.bot_refresh_token and _expiring(bot):
            with self._refreshing:
                bot = self._find(team_id)  # perhaps refreshed by another thread meanwhile
                rotated = self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
                )
                if rotated is not None:
                    self.store.save_bot(rotated)
                    log.info("refreshed the bot token of workspace %s", team_id)
                    bot = rotated
        return self.make_client(bot.bot_token)

    def _find(self, team_id: str) -> Bot:
        # The store's find_bot asks for the enterprise too, which a scheduled job does not
        # know: a workspace of an Enterprise Grid org is installed under the org's ID as well.
        # The same lookup by the workspace alone, the newest bot with a token first.
        bots = self.store.bots
        with self.store.engine.connect() as conn:
            row = (
                conn.execute(
                    bots.select()
                    .where(
                        bots.c.client_id == self.store.client_id,
                        bots.c.team_id == team_id,
                        bots.c.bot_token.is_not(None),
                    )
                    .order_by(bots.c.installed_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise LookupError(f"Goodwill is not installed in workspace {team_id}")
        return self.store.build_bot_entity(row)


def _expiring(bot: Bot) -> bool:
    """TokenRotator's own test, made before taking the lock that a refresh needs."""
    expires_at = bot.bot_token_expires_at
    return expires_at is not None and expires_at <= time.time() + REFRESH_MINUTES_BEFORE_EXPIRY * 60
