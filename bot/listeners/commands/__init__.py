from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.favor import handle_favor
from bot.listeners.commands.thanks import handle_thanks
from bot.slack_ids import FAVOR_COMMAND, THANKS_COMMAND


def register(app: App) -> None:
    app.command(THANKS_COMMAND)(handle_thanks)
    app.command(FAVOR_COMMAND)(handle_favor)
