from __future__ import annotations

from slack_bolt import App

from bot.listeners.shortcuts.thank_for_this import handle_thank_for_this
from bot.slack.ids import THANK_FOR_THIS_SHORTCUT


def register(app: App) -> None:
    app.message_shortcut(THANK_FOR_THIS_SHORTCUT)(handle_thank_for_this)
