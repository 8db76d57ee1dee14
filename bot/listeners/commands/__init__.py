from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.thanks import handle_thanks
from bot.slack_ids import THANKS_COMMAND


def register(app: App) -> None:
    app.command(THANKS_COMMAND)(handle_thanks)
