"""The admins' part of the App Home: the workspace's settings, a button to change them, and
the scheduled messages that did not go out, each with what to do about it."""

from __future__ import annotations

from typing import Any

from bot.favours.blocks import context, one_line, section
from bot.home.contents import FAILURE_WINDOW, AdminPanel, DeliveryFailure
from bot.settings.workspace import WEEKDAYS, WorkspaceSettings
from bot.slack.ids import HOME_INSIGHTS, HOME_WORKSPACE_SETTINGS
from bot.slack.messages import mention

Block = dict[str, Any]

ERROR_SHOWN = 300
EMOJI_SHOWN = 10
KIND_WORDS = {
    "digest": "The weekly digest",
    "nudge": "A private nudge",
    "prompt": "A weekly prompt",
}


def admin_blocks(panel: AdminPanel) -> list[Block]:
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Workspace settings"}},
        {
            "type": "section",
            "block_id": "workspace_settings",
            "text": {"type": "mrkdwn", "text": workspace_summary(panel.settings)},
            "accessory": {
                "type": "button",
                "action_id": HOME_WORKSPACE_SETTINGS,
                "text": {"type": "plain_text", "text": "Edit settings"},
                "value": "edit",
            },
        },
        {
            "type": "section",
            "block_id": "team_insight",
            "text": {
                "type": "mrkdwn",
                "text": "*Team insight*: who gives, receives and asks, over 4 and 12 weeks; "
                "counts over 5 people or more, never names.",
            },
            "accessory": {
                "type": "button",
                "action_id": HOME_INSIGHTS,
                "text": {"type": "plain_text", "text": "Send to my DM"},
                "value": "insights",
            },
        },
        context("Only workspace admins and owners see this part, and can change it."),
    ]
    if panel.failures:
        lines = [_failure_line(failure) for failure in panel.failures]
        title = f"*Messages that didn't go out in the last {FAILURE_WINDOW.days} days*"
        blocks.append(section("\n".join([title, *lines])))
        hidden = panel.failures_total - len(panel.failures)
        if hidden > 0:
            blocks.append(context(f"…and {hidden:,} more, older."))
    return blocks


def workspace_summary(settings: WorkspaceSettings) -> str:
    digest = (
        f"<#{settings.digest_channel_id}>, {_when(settings.digest_weekday, settings.digest_hour)}"
        f" ({settings.timezone})"
        if settings.digest_channel_id
        else "off. Pick a channel under *Edit settings* to start it."
    )
    mentions = (
        "quiet: names only, without notifying anyone"
        if settings.quiet_mentions
        else "people are mentioned, and notified"
    )
    emoji = " ".join(f":{name}:" for name in settings.credit_emoji[:EMOJI_SHOWN])
    lines = (
        f"*Weekly digest*: {digest}",
        f"*In the digest*: {mentions}",
        f"*Credit emoji*: {emoji or 'none'}",
        f"*Fair use*: at most {settings.pair_daily_cap} credits a day from one person to another",
        f"*Balances*: help counts half after {settings.half_life_days} days",
        f"*Nudges* when: someone was helped {settings.nudge_pair_min_weight}+ times by one "
        f"person with nothing back · helped {settings.nudge_ask_too_min_people}+ people and "
        f"never asked · got help from {settings.nudge_give_back_min_people}+ people and "
        "helped no one",
        f"*“Who helped you?”*: {_when(settings.prompt_weekday, settings.prompt_hour)}, "
        "in each person's time zone",
    )
    return "\n".join(lines)


def _when(weekday: int, hour: int) -> str:
    return f"{WEEKDAYS[weekday]} at {hour:02d}:00"


def _failure_line(failure: DeliveryFailure) -> str:
    stamp = int(failure.due_at.timestamp())
    when = f"<!date^{stamp}^{{date_short}} {{time}}|{failure.due_at:%Y-%m-%d %H:%M} UTC>"
    what = KIND_WORDS.get(failure.kind, "A message")
    where = (
        f"in <#{failure.channel_id}>"
        if failure.kind == "digest"
        else f"to {mention(failure.recipient_id or failure.channel_id)}"
    )
    error = one_line(failure.error, ERROR_SHOWN) if failure.error else "Slack refused it."
    if failure.status == "uncertain":
        advice = "It may or may not have arrived, and won't be sent twice" + (
            f": have a look in <#{failure.channel_id}>." if failure.kind == "digest" else "."
        )
    elif failure.kind == "digest":
        advice = "Fix that, or pick another channel under *Edit settings*."
    else:
        advice = "Nothing to do unless it keeps happening."
    return f"• {when} · {what} {where}: {error} {advice}"
