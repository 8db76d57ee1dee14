from __future__ import annotations

from slack_bolt import App

from bot.listeners.actions.answers import handle_answer
from bot.listeners.actions.closing import handle_fulfil, handle_set_aside, handle_withdraw
from bot.listeners.actions.forget import handle_forget_cancel, handle_forget_me
from bot.listeners.actions.home import (
    handle_home_answer,
    handle_home_capacity,
    handle_home_withdraw,
    handle_open_workspace_settings,
    handle_setting_toggle,
    on_home_tab,
)
from bot.listeners.actions.insights import handle_home_insights
from bot.listeners.actions.nudges import (
    handle_nudge_not_now,
    handle_nudge_offer_help,
    handle_nudge_resume,
    handle_nudge_say_thanks,
    handle_nudge_stop,
)
from bot.listeners.actions.prompts import (
    handle_prompt_pick,
    handle_prompt_resume,
    handle_prompt_stop,
)
from bot.listeners.actions.suggestions import handle_let_know
from bot.listeners.actions.thank_publicly import handle_thank_publicly
from bot.slack.ids import (
    ASK_DONE,
    ASK_NOT_NEEDED,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_THANK_PUBLICLY,
    FORGET_ME_CANCEL,
    FORGET_ME_CONFIRM,
    HOME_AVAILABLE,
    HOME_BUSY,
    HOME_INSIGHTS,
    HOME_SETTING_TOGGLE,
    HOME_WORKSPACE_SETTINGS,
    NUDGE_NOT_NOW,
    NUDGE_OFFER_HELP,
    NUDGE_RESUME,
    NUDGE_SAY_THANKS,
    NUDGE_STOP,
    OFFER_CONFIRM,
    OFFER_DECLINE,
    OFFER_TAKE,
    OFFER_WITHDRAW,
    PROMPT_PICK,
    PROMPT_RESUME,
    PROMPT_STOP,
    SUGGESTIONS_LET_KNOW,
)


def register(app: App) -> None:
    app.action(FAVOR_THANK_PUBLICLY)(handle_thank_publicly)
    app.action(NUDGE_SAY_THANKS)(handle_nudge_say_thanks)
    app.action(NUDGE_OFFER_HELP)(handle_nudge_offer_help)
    app.action(NUDGE_NOT_NOW)(handle_nudge_not_now)
    app.action(NUDGE_STOP)(handle_nudge_stop)
    app.action(NUDGE_RESUME)(handle_nudge_resume)
    # Asks and offers are mirrors: the same listeners serve both, the request says which.
    # A click on the Home (no response_url there; the Home is shown again) comes first:
    # Bolt runs the first listener that matches.
    app.action(ASK_VOLUNTEER, matchers=[on_home_tab])(handle_home_answer)
    app.action(OFFER_TAKE, matchers=[on_home_tab])(handle_home_answer)
    app.action(ASK_VOLUNTEER)(handle_answer)
    app.action(OFFER_TAKE)(handle_answer)
    app.action(ASK_DONE)(handle_fulfil)
    app.action(OFFER_CONFIRM)(handle_fulfil)
    app.action(ASK_NOT_NEEDED)(handle_set_aside)
    app.action(OFFER_DECLINE)(handle_set_aside)
    # Withdraw on the Home comes first too.
    app.action(ASK_WITHDRAW, matchers=[on_home_tab])(handle_home_withdraw)
    app.action(OFFER_WITHDRAW, matchers=[on_home_tab])(handle_home_withdraw)
    app.action(ASK_WITHDRAW)(handle_withdraw)
    app.action(OFFER_WITHDRAW)(handle_withdraw)
    app.action(PROMPT_PICK)(handle_prompt_pick)
    app.action(PROMPT_STOP)(handle_prompt_stop)
    app.action(PROMPT_RESUME)(handle_prompt_resume)
    app.action(HOME_SETTING_TOGGLE)(handle_setting_toggle)
    app.action(HOME_WORKSPACE_SETTINGS)(handle_open_workspace_settings)
    app.action(HOME_BUSY)(handle_home_capacity)
    app.action(HOME_AVAILABLE)(handle_home_capacity)
    app.action(HOME_INSIGHTS)(handle_home_insights)
    app.action(FORGET_ME_CONFIRM)(handle_forget_me)
    app.action(FORGET_ME_CANCEL)(handle_forget_cancel)
    app.action(SUGGESTIONS_LET_KNOW)(handle_let_know)
