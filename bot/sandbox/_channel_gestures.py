"""The sandbox's gestures that change a channel: joining or leaving it, archiving it.

Each changes the emulator's channel as Slack would, says so in the shell, and sends the app
the event Slack would send it, when Slack would send one (bot.sandbox.gestures shows the
app's answer).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import Delivery
from slack_emulator import SlackChannel, SlackUser

Say = Callable[[str], None]


def move(
    sandbox: Sandbox, say: Say, user: SlackUser, channel: SlackChannel, *, joining: bool
) -> Delivery | None:
    """Join or leave `channel`; Slack tells the app when it is in the channel too."""
    if (user.id in channel.members) == joining:
        where = "already in" if joining else "not in"
        say(f"(@{user.name} is {where} #{channel.name})")
        return None
    if joining:
        channel.members.add(user.id)
    else:
        channel.members.discard(user.id)
    say(f"(@{user.name} {'joins' if joining else 'leaves'} #{channel.name})")
    if sandbox.emulator.bot_user_id not in channel.members:
        say(
            f"(Goodwill is not in #{channel.name}, so Slack does not tell it: "
            f"@{user.name}'s Home catches up within five minutes)"
        )
        return None
    driver = sandbox.driver
    return driver.send_event(driver.membership_envelope(user.id, channel.id, joined=joining))


def archive(
    sandbox: Sandbox, say: Say, user: SlackUser, channel: SlackChannel, *, archived: bool
) -> Delivery | None:
    """Archive `channel` or bring it back; Slack tells the app, of a private channel only
    when it is in it."""
    if channel.is_im or channel.is_mpim:
        say("(a direct message cannot be archived)")
        return None
    if channel.is_general:
        say(f"(Slack lets no one archive #{channel.name}: everyone in the workspace is in it)")
        return None
    if channel.is_archived == archived:
        say(f"(#{channel.name} is {'already' if archived else 'not'} archived)")
        return None
    channel.is_archived = archived
    say(f"(@{user.name} {'archives' if archived else 'unarchives'} #{channel.name})")
    if channel.is_private and sandbox.emulator.bot_user_id not in channel.members:
        return None
    driver = sandbox.driver
    change = "archive" if archived else "unarchive"
    return driver.send_event(driver.archival_envelope(channel.id, change, user.id))
