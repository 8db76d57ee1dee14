"""Multi-workspace installs: slack_sdk's SQLAlchemy stores on Goodwill's own database.

Their tables are declared here, in a metadata of their own, so that Alembic creates and
checks them like every other table (migrations/, never `create_tables()` at runtime).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, MetaData, select

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


def installation_store(client_id: str, engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=client_id, engine=engine)


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
        # A workspace of an Enterprise Grid org is installed under the org's ID too, and the
        # store finds a bot only by both; a scheduled job knows the workspace alone.
        bots = self.store.bots
        with self.store.engine.connect() as conn:
            enterprise_id = conn.scalar(
                select(bots.c.enterprise_id)
                .where(
                    bots.c.client_id == self.store.client_id,
                    bots.c.team_id == team_id,
                    bots.c.bot_token.is_not(None),
                )
                .order_by(bots.c.installed_at.desc())
                .limit(1)
            )
        bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            raise LookupError(f"Goodwill is not installed in workspace {team_id}")
        return bot


def _expiring(bot: Bot) -> bool:
    """TokenRotator's own test, made before taking the lock that a refresh needs."""
    expires_at = bot.bot_token_expires_at
    return expires_at is not None and expires_at <= time.time() + REFRESH_MINUTES_BEFORE_EXPIRY * 60
