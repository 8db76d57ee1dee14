"""Every Slack identifier Goodwill uses, spelled once.

tests/slack/test_manifest.py holds these against manifest.yml in both directions: whatever is
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
APP_HOME_OPENED = "app_home_opened"
MEMBER_JOINED_CHANNEL = "member_joined_channel"
MEMBER_LEFT_CHANNEL = "member_left_channel"
CHANNEL_ARCHIVE = "channel_archive"
CHANNEL_UNARCHIVE = "channel_unarchive"
CHANNEL_DELETED = "channel_deleted"
GROUP_ARCHIVE = "group_archive"  # a private channel's
GROUP_UNARCHIVE = "group_unarchive"
GROUP_DELETED = "group_deleted"
CHANNEL_ARCHIVAL_EVENTS = frozenset(
    {
        CHANNEL_ARCHIVE,
        CHANNEL_UNARCHIVE,
        CHANNEL_DELETED,
        GROUP_ARCHIVE,
        GROUP_UNARCHIVE,
        GROUP_DELETED,
    }
)

BOT_EVENTS = frozenset(
    {
        TEAM_JOIN,
        USER_CHANGE,
        APP_UNINSTALLED,
        TOKENS_REVOKED,
        REACTION_ADDED,
        REACTION_REMOVED,
        APP_HOME_OPENED,
        MEMBER_JOINED_CHANNEL,
        MEMBER_LEFT_CHANNEL,
        *CHANNEL_ARCHIVAL_EVENTS,
    }
)

# Message shortcuts (callback_id)
THANK_FOR_THIS_SHORTCUT = "thank_for_this"

SHORTCUT_CALLBACK_IDS = frozenset({THANK_FOR_THIS_SHORTCUT})

# Modals (callback_id)
THANKS_MODAL = "thanks_modal"
SETTINGS_MODAL = "settings_modal"  # /favor settings, and the Home's workspace settings
PROMPT_MODAL = "prompt_modal"  # "Who helped you this week?": what each person did
NUDGE_OFFER_MODAL = "nudge_offer_modal"  # a nudge's "Offer help": what you could offer
REQUEST_CLOSE_MODAL = "request_close_modal"  # an ask's Done, an offer's Confirm: who, how big

# Block actions (action_id)
FAVOR_THANK_PUBLICLY = "favor_thank_publicly"
ASK_VOLUNTEER = "ask_volunteer"  # "I can help", on an ask in a channel
ASK_DONE = "ask_done"  # "Done…", in the asker's DM: opens the form to tick who helped
ASK_NOT_NEEDED = "ask_not_needed"  # "Not needed", in the asker's DM
ASK_WITHDRAW = "ask_withdraw"  # the asker takes the ask back
OFFER_TAKE = "offer_take"  # "I'd like this", on an offer in a channel
OFFER_CONFIRM = "offer_confirm"  # the offerer confirms it was given, in their DM
OFFER_DECLINE = "offer_decline"  # the offerer says no, in their DM
OFFER_WITHDRAW = "offer_withdraw"  # the offerer takes the offer back
PROMPT_PICK = "prompt_pick"  # the people picker in the weekly "Who helped you?" DM
PROMPT_STOP = "prompt_stop"  # "Stop these prompts", in that DM
SUGGESTIONS_LET_KNOW = "suggestions_let_know"  # the asker lets the likely helpers know
PROMPT_RESUME = "prompt_resume"  # "Turn prompts back on", once stopped
HOME_SETTING_TOGGLE = "home_setting_toggle"  # "Turn off/on" beside a setting on the Home
HOME_WORKSPACE_SETTINGS = "home_workspace_settings"  # admins: opens the settings modal
HOME_BUSY = "home_busy"  # "I'm at capacity this week", on the Home
HOME_AVAILABLE = "home_available"  # "I'm available", on the Home while at capacity
HOME_INSIGHTS = "home_insights"  # admins: the team insight and its chart, in their DM
NUDGE_SAY_THANKS = "nudge_say_thanks"  # in a nudge DM: opens the thanks modal
NUDGE_OFFER_HELP = "nudge_offer_help"  # in a nudge DM: opens the offer modal
NUDGE_NOT_NOW = "nudge_not_now"  # in a nudge DM: sets it aside
NUDGE_STOP = "nudge_stop"  # "Stop these nudges": opts out at once
NUDGE_RESUME = "nudge_resume"  # "Turn nudges back on", once stopped
FORGET_ME_CONFIRM = "forget_me_confirm"  # "Forget me", after /favor forget-me
FORGET_ME_CANCEL = "forget_me_cancel"  # "Cancel", beside it

# Bot token scopes, each with the Web API methods or events that need it
BOT_SCOPES = frozenset(
    {
        "commands",  # slash commands and the message shortcut
        "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update, DMs from the app
        "chat:write.public",  # posting asks and offers in public channels without joining
        "reactions:read",  # reaction_added, reaction_removed
        "users:read",  # users.list, users.info, team_join, user_change
        "team:read",  # team.info
        "im:write",  # conversations.open, for the DM an admin's export or chart goes to
        # files.getUploadURLExternal, files.completeUploadExternal (export, insight chart)
        "files:write",
        # users.conversations: the public channels a member is in (Home); member_joined_channel
        # and member_left_channel in them; channel_archive, channel_unarchive, channel_deleted
        "channels:read",
        # the same for the private channels a member shares with the app; group_archive,
        # group_unarchive, group_deleted
        "groups:read",
        "usergroups:read",  # usergroups.users.list: the members of a group thanked by /thanks
    }
)
