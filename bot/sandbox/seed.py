"""The sandbox's made-up workspace: a few people, a bot, a former colleague, some channels,
two user groups to thank as a team."""

from __future__ import annotations

from slack_emulator import SlackChannel, SlackEmulator, SlackUser, SlackUserGroup

TEAM_ID = "T0SANDBOX"

PEOPLE = (
    # id, name, real name, time zone, admin
    ("U0ALICE01", "alice", "Alice Andersen", "Europe/Oslo", True),
    ("U0BOB0002", "bob", "Bob Baptiste", "America/New_York", False),
    ("U0CAROL03", "carol", "Carol Chen", "Asia/Singapore", False),
    ("U0DAVE004", "dave", "Dave Dlamini", "Africa/Johannesburg", False),
    ("U0ERIN005", "erin", "Erin Evans", "America/Los_Angeles", False),
)
BOT_USER = ("U0DEPLOY9", "deploybot", "Deploy Bot")
FORMER_MEMBER = ("U0FRANK06", "frank", "Frank Fischer")
CHANNELS = (("C0GENERAL", "general"), ("C0RANDOM1", "random"), ("C0ENGINE2", "engineering"))
# id, handle, members: the platform team holds Alice, the bot and the former colleague too,
# whom a team thanks from Alice leaves out.
USER_GROUPS = (
    (
        "S0PLATFORM",
        "platform-team",
        ("U0ALICE01", "U0CAROL03", "U0DAVE004", "U0DEPLOY9", "U0FRANK06"),
    ),
    ("S0DESIGNRS", "design", ("U0BOB0002", "U0ERIN005")),
)


def seed_workspace(emulator: SlackEmulator) -> None:
    """Fill an emulator with the sandbox workspace's members and channels."""
    everyone = {user_id for user_id, *_ in PEOPLE}
    for user_id, name, real_name, tz, admin in PEOPLE:
        emulator.add_user(
            SlackUser(
                id=user_id,
                team_id=emulator.team_id,
                name=name,
                real_name=real_name,
                display_name=name,
                tz=tz,
                is_admin=admin,
            )
        )
    bot_id, bot_name, bot_real_name = BOT_USER
    emulator.add_user(
        SlackUser(
            id=bot_id, team_id=emulator.team_id, name=bot_name, real_name=bot_real_name, is_bot=True
        )
    )
    former_id, former_name, former_real_name = FORMER_MEMBER
    emulator.add_user(
        SlackUser(
            id=former_id,
            team_id=emulator.team_id,
            name=former_name,
            real_name=former_real_name,
            deleted=True,
        )
    )
    for channel_id, name in CHANNELS:
        general = name == "general"  # the workspace's default channel, everyone in it
        emulator.add_channel(
            SlackChannel(id=channel_id, name=name, members=set(everyone), is_general=general)
        )
    for group_id, handle, members in USER_GROUPS:
        emulator.add_user_group(SlackUserGroup(id=group_id, handle=handle, users=list(members)))
