from __future__ import annotations

from slack_bolt import App

from bot.listeners.views.thanks_modal import handle_thanks_modal
from bot.slack_ids import THANKS_MODAL


def register(app: App) -> None:
    app.view(THANKS_MODAL)(handle_thanks_modal)
