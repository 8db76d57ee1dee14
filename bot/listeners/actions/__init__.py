from __future__ import annotations

from slack_bolt import App

from bot.listeners.actions.answers import handle_answer
from bot.listeners.actions.closing import handle_fulfil, handle_set_aside, handle_withdraw
from bot.listeners.actions.thank_publicly import handle_thank_publicly
from bot.slack_ids import (
    ASK_DONE,
    ASK_NOT_NEEDED,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_THANK_PUBLICLY,
    OFFER_CONFIRM,
    OFFER_DECLINE,
    OFFER_TAKE,
    OFFER_WITHDRAW,
)


def register(app: App) -> None:
    app.action(FAVOR_THANK_PUBLICLY)(handle_thank_publicly)
    # Asks and offers are mirrors: the same listeners serve both, the request says which.
    app.action(ASK_VOLUNTEER)(handle_answer)
    app.action(OFFER_TAKE)(handle_answer)
    app.action(ASK_DONE)(handle_fulfil)
    app.action(OFFER_CONFIRM)(handle_fulfil)
    app.action(ASK_NOT_NEEDED)(handle_set_aside)
    app.action(OFFER_DECLINE)(handle_set_aside)
    app.action(ASK_WITHDRAW)(handle_withdraw)
    app.action(OFFER_WITHDRAW)(handle_withdraw)
