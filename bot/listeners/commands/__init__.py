from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.favor import handle_favor
from bot.slack.ids import FAVOR_COMMAND


def register(app: App) -> None:
    # /thanks is registered first of all, by bot.listeners.register.
    app.command(FAVOR_COMMAND)(handle_favor)
