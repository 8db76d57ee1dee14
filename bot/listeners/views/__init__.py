from __future__ import annotations

from slack_bolt import App

from bot.listeners.views.nudge_offer import handle_nudge_offer
from bot.listeners.views.prompt_modal import handle_prompt_modal
from bot.listeners.views.request_close import handle_request_close
from bot.listeners.views.settings_modal import handle_settings_modal
from bot.listeners.views.thanks_modal import handle_thanks_modal
from bot.slack.ids import (
    NUDGE_OFFER_MODAL,
    PROMPT_MODAL,
    REQUEST_CLOSE_MODAL,
    SETTINGS_MODAL,
    THANKS_MODAL,
)


def register(app: App) -> None:
    app.view(THANKS_MODAL)(handle_thanks_modal)
    app.view(NUDGE_OFFER_MODAL)(handle_nudge_offer)
    app.view(SETTINGS_MODAL)(handle_settings_modal)
    app.view(PROMPT_MODAL)(handle_prompt_modal)
    app.view(REQUEST_CLOSE_MODAL)(handle_request_close)
