"""Every Slack identifier Goodwill uses, spelled once.

tests/test_manifest.py holds these against manifest.yml in both directions: whatever is
registered here is declared there, and nothing is declared there that is not used here.
"""

from __future__ import annotations

# Slash commands
THANKS_COMMAND = "/thanks"

COMMANDS = frozenset({THANKS_COMMAND})

# Events API subscriptions (bot events)
TEAM_JOIN = "team_join"
USER_CHANGE = "user_change"
APP_UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"

BOT_EVENTS = frozenset({TEAM_JOIN, USER_CHANGE, APP_UNINSTALLED, TOKENS_REVOKED})

# Shortcuts, actions and views (none yet)
SHORTCUT_CALLBACK_IDS: frozenset[str] = frozenset()

# Bot token scopes, each with the Web API methods or events that need it
BOT_SCOPES = frozenset(
    {
        "commands",  # slash commands
        "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update
        "users:read",  # users.list, users.info, team_join, user_change
        "team:read",  # team.info
    }
)
