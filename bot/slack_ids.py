"""Every Slack identifier Goodwill uses, spelled once.

tests/test_manifest.py holds these against manifest.yml in both directions: whatever is
registered here is declared there, and nothing is declared there that is not used here.
"""

from __future__ import annotations

# Slash commands
THANKS_COMMAND = "/thanks"
FAVOR_COMMAND = "/favor"

COMMANDS = frozenset({THANKS_COMMAND, FAVOR_COMMAND})

# Events API subscriptions (bot events)
TEAM_JOIN = "team_join"
USER_CHANGE = "user_change"
APP_UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
REACTION_ADDED = "reaction_added"
REACTION_REMOVED = "reaction_removed"

BOT_EVENTS = frozenset(
    {TEAM_JOIN, USER_CHANGE, APP_UNINSTALLED, TOKENS_REVOKED, REACTION_ADDED, REACTION_REMOVED}
)

# Message shortcuts (callback_id)
THANK_FOR_THIS_SHORTCUT = "thank_for_this"

SHORTCUT_CALLBACK_IDS = frozenset({THANK_FOR_THIS_SHORTCUT})

# Modals (callback_id)
THANKS_MODAL = "thanks_modal"

# Block actions (action_id)
FAVOR_THANK_PUBLICLY = "favor_thank_publicly"
ASK_VOLUNTEER = "ask_volunteer"  # "I can help", on an ask in a channel
ASK_DONE = "ask_done"  # "Done — thank Bob", in the asker's DM
ASK_NOT_NEEDED = "ask_not_needed"  # "Not needed", in the asker's DM
ASK_WITHDRAW = "ask_withdraw"  # the asker takes the ask back
OFFER_TAKE = "offer_take"  # "I'd like this", on an offer in a channel
OFFER_CONFIRM = "offer_confirm"  # the offerer confirms it was given, in their DM
OFFER_DECLINE = "offer_decline"  # the offerer says no, in their DM
OFFER_WITHDRAW = "offer_withdraw"  # the offerer takes the offer back

# Bot token scopes, each with the Web API methods or events that need it
BOT_SCOPES = frozenset(
    {
        "commands",  # slash commands and the message shortcut
        "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update, DMs from the app
        "chat:write.public",  # posting asks and offers in public channels without joining
        "reactions:read",  # reaction_added, reaction_removed
        "users:read",  # users.list, users.info, team_join, user_change
        "team:read",  # team.info
    }
)
