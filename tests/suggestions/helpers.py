"""Shared steps for the likely-helpers tests: a workspace with public and private thanks,
offers and skills; an ask; the suggestions that arrive after it."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.member_channels import keep_reading
from bot.models import AskSuggestions, FavorRequest, Member, OutboxMessage
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND, THANKS_COMMAND
from slack_emulator import Message, SlackChannel

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
BOT, FRANK = "U0DEPLOY9", "U0FRANK06"
GENERAL, SECRET = "C0GENERAL", "C0SECRET1"
PRIVATE_WORD = "hushhush"  # only ever said privately: it must never show in a suggestion


def command(sandbox: Sandbox, user: str, name: str, text: str, channel: str = GENERAL) -> None:
    delivery, _ = sandbox.driver.slash_command(user, name, text, channel)
    assert delivery.status == 200, delivery.body


def thank(sandbox: Sandbox, giver: str, helper: str, reason: str, channel: str = GENERAL) -> None:
    command(sandbox, giver, THANKS_COMMAND, f"<@{helper}> for {reason}", channel)
    sandbox.settle()  # celebrated, before anything else is posted


def add_secret_channel(sandbox: Sandbox, *members: str) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(
            id=SECRET,
            name="secret",
            is_private=True,
            members={*members, sandbox.emulator.bot_user_id},
        )
    )


def channels_known(sessions: sessionmaker[Session], sandbox: Sandbox, **by_user: list[str]) -> None:
    """The members' channels as Goodwill's cache holds them (bot.channels.member_channels)."""
    now = sandbox.clock()
    with sessions.begin() as session:
        for user_id, channel_ids in by_user.items():
            keep_reading(session, sandbox.emulator.team_id, user_id, frozenset(channel_ids), now)


def set_member(sessions: sessionmaker[Session], user_id: str, **values: object) -> None:
    with sessions.begin() as session:
        member = session.scalar(select(Member).where(Member.user_id == user_id))
        assert member is not None
        for name, value in values.items():
            setattr(member, name, value)


def ask(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> Message:
    """Post `/favor ask …`; wait for its suggestions to be worked out and sent; return the
    ask's message in the channel."""
    before = len(sandbox.emulator.messages(channel, ephemeral=False))
    command(sandbox, user, FAVOR_COMMAND, f"ask {text}", channel)
    posted = sandbox.emulator.messages(channel, ephemeral=False)
    assert len(posted) == before + 1
    settled(sandbox)
    return posted[-1]


def settled(sandbox: Sandbox, timeout: float = 10.0) -> None:
    """Every open ask's suggestions worked out and nothing under way in the outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sandbox.sessions() as session:
            asks = session.scalars(
                select(FavorRequest.id).where(
                    FavorRequest.kind == "ask", FavorRequest.status == "open"
                )
            ).all()
            worked_out = session.scalars(select(AskSuggestions.request_id)).all()
            moving = session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status.in_(("pending", "sending")))
            ).all()
        if set(asks) <= set(worked_out) and not moving:
            return
        time.sleep(0.02)
    raise AssertionError("the suggestions did not arrive")


def dms(sandbox: Sandbox, user: str) -> list[Message]:
    return sandbox.emulator.messages(f"D{user}", ephemeral=False)


def suggestions_dm(sandbox: Sandbox, user: str) -> Message:
    [message] = [m for m in dms(sandbox, user) if m.text.startswith("People likely to help")]
    return message


def suggested(message: Message) -> list[str]:
    """The people the suggestions DM names, in order."""
    lines = message.blocks[1]["text"]["text"].splitlines()
    return [line.split("<@", 1)[1].split(">", 1)[0] for line in lines]


def notes(sandbox: Sandbox, user: str) -> list[str]:
    return [m.text for m in sandbox.emulator.messages(ephemeral=True) if m.ephemeral_for == user]
