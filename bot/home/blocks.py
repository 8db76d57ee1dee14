"""The App Home: a member's reciprocity map, last entries, open asks and offers, and settings.

Everything here is private to the member whose Home it is. Lists are cut to what the
service hands over and end with "and N more", so the view stays within Slack's limits
(100 blocks, 3,000 characters a section) whatever the history's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.asks.requests import ASK, RequestInfo
from bot.balance.blocks import BAR_NOTE, archived_note, balance_bar, decay_note, exchanges
from bot.balance.exchanges import PairBalance
from bot.balance.history import Entry
from bot.busy.blocks import home_busy_blocks
from bot.favours.blocks import SIZE_WORDS, context, listed, one_line, section
from bot.home.admin_blocks import admin_blocks
from bot.home.contents import Home
from bot.home.nearby_blocks import nearby_blocks
from bot.notes.blocks import home_notes_blocks, note_beside
from bot.settings.blocks import SETTING_WORDS
from bot.settings.personal import PERSONAL_SETTINGS, PersonalSettings
from bot.slack.ids import ASK_WITHDRAW, HOME_SETTING_TOGGLE, OFFER_WITHDRAW
from bot.slack.messages import counted, mention, plural
from bot.suggestions.blocks import skills_words

View = dict[str, Any]
Block = dict[str, Any]

REASON_SHOWN = 80
REQUEST_TEXT_SHOWN = 200
MAX_SECTION = 2_900  # Slack's limit is 3,000 characters


def welcome(credit_emoji: Sequence[str]) -> str:
    lines = [
        "Goodwill keeps the give and take of your team in view: who helped whom, "
        "privately, and public thanks that only ever celebrate.",
        "",
        "• `/thanks @someone for what they did` thanks them in the channel",
        "• `/favor @someone what they did` logs a favour, privately",
        "• `/favor ask what you need` asks the channel for a hand; "
        "`/favor offer what you can give` offers one",
    ]
    if credit_emoji:
        lines.append(f"• a :{credit_emoji[0]}: reaction on someone's message thanks them too")
    lines.append("")
    lines.append(
        "Once you've given or received some help, this page shows your exchanges, "
        "for your eyes only."
    )
    return "\n".join(lines)


def home_view(home: Home) -> View:
    blocks: list[Block] = []
    if home.notice:
        icon = ":white_check_mark:" if home.good_news else ":warning:"
        blocks.append(section(f"{icon} {home.notice}"))
    blocks.extend(home_busy_blocks(home.busy))
    if home.first_run:
        blocks.append(_header("Welcome to Goodwill :wave:"))
        blocks.append(section(welcome(home.credit_emoji)))
    else:
        blocks.extend(_map_blocks(home))
        blocks.append({"type": "divider"})
        blocks.extend(_entry_blocks(home))
        blocks.append({"type": "divider"})
        blocks.extend(_request_blocks(home))
    blocks.extend(home_notes_blocks(list(home.notes), home.notes_total, _beside(home)))
    nearby = nearby_blocks(home)
    if nearby:
        blocks.append({"type": "divider"})
        blocks.extend(nearby)
    blocks.append({"type": "divider"})
    blocks.extend(_settings_blocks(home.personal))
    blocks.append(context(skills_words(home.skills)))
    if home.admin is not None:
        blocks.append({"type": "divider"})
        blocks.extend(admin_blocks(home.admin))
    return {"type": "home", "blocks": blocks}


def parse_toggle(value: str) -> tuple[str, bool] | None:
    """`nudges:off` from a setting's button, or None when it is not one of ours."""
    name, _, state = value.partition(":")
    if name not in PERSONAL_SETTINGS or state not in ("on", "off"):
        return None
    return name, state == "on"


def _map_blocks(home: Home) -> list[Block]:
    blocks: list[Block] = [_header("Your give and take")]
    if not home.pairs:
        blocks.append(
            section(
                f"No exchanges in the last {home.window_days} days. Asking is a fine way to "
                "start again: `/favor ask what you need`."
            )
        )
        return blocks
    helped = counted(home.people_helped, "person", "people")
    helping = counted(home.people_helping, "person", "people")
    blocks.append(
        section(
            f"In the last {home.window_days} days you helped {helped}, and {helping} "
            f"{plural(home.people_helping, 'has', 'have')} helped you."
        )
    )
    by_person = home.note_by_person
    lines = [_pair_line(p) + note_beside(by_person, p.counterpart_id) for p in home.pairs]
    blocks.extend(section(chunk) for chunk in _chunks(lines))
    hidden = home.people_total - len(home.pairs)
    notes = [f"Only you can see this. {BAR_NOTE} {decay_note(home.half_life_days)}"]
    if hidden > 0:
        more = counted(hidden, "more person", "more people")
        notes.append(f"…and {more}: `/favor balance @someone` shows any one.")
    blocks.append(context("\n".join(notes)))
    return blocks


def _beside(home: Home) -> set[str]:
    """Whose notes the map shows beside them already."""
    return set() if home.first_run else {pair.counterpart_id for pair in home.pairs}


def _pair_line(pair: PairBalance) -> str:
    return (
        f"{balance_bar(pair.given, pair.received)}  {mention(pair.counterpart_id)}: "
        f"{exchanges(pair)}"
    )


def _entry_blocks(home: Home) -> list[Block]:
    lines = [_entry_line(home.member_id, entry) for entry in home.entries]
    return [
        section("*Your last entries*"),
        *(section(chunk) for chunk in _chunks(lines)),
        context("`/favor history` shows more; `/favor undo` takes back your last within 24 hours."),
    ]


def _entry_line(member_id: str, entry: Entry) -> str:
    stamp = int(entry.created_at.timestamp())
    when = f"<!date^{stamp}^{{date_short}}|{entry.created_at:%Y-%m-%d}>"
    size = SIZE_WORDS.get(entry.weight, "small")
    helper, helped = mention(entry.helper_id), mention(entry.helped_id)
    if entry.helped_id == member_id:
        what = {
            "favor": f"{helper} did you a {size} favour",
            "reaction": f"you reacted to {helper}'s message",
        }.get(entry.kind, f"you thanked {helper}")
    else:
        what = {
            "favor": f"you did {helped} a {size} favour",
            "reaction": f"{helped} reacted to your message",
        }.get(entry.kind, f"{helped} thanked you")
    line = f"{when} · {what}"
    if entry.reason:
        line += f": {one_line(entry.reason, REASON_SHOWN)}"
    if entry.retracted_at is not None:
        line = f"~{line}~ _(undone)_"
    return f"• {line}"


def _request_blocks(home: Home) -> list[Block]:
    if not home.requests:
        return [
            section(
                "*Your open asks and offers*\nNothing open. `/favor ask what you need` or "
                "`/favor offer what you can give` posts one in the channel you type it in."
            )
        ]
    items = [_request_block(request) for request in home.requests]
    return listed("*Your open asks and offers*", items, home.requests_total)


def _request_block(request: RequestInfo) -> Block:
    ask = request.kind == ASK
    withdraw: Block = {
        "type": "button",
        "action_id": ASK_WITHDRAW if ask else OFFER_WITHDRAW,
        "text": _plain("Withdraw"),
        "value": request.public_id,
        "confirm": {
            "title": _plain(f"Withdraw this {request.kind}?"),
            "text": _plain("It closes in the channel too, and nobody can answer it any more."),
            "confirm": _plain("Withdraw"),
            "deny": _plain("Keep it"),
        },
    }
    what = "Ask" if ask else "Offer"
    text = f"*{what}* in <#{request.channel_id}>: {one_line(request.text, REQUEST_TEXT_SHOWN)}"
    text += archived_note(request)
    return {
        "type": "section",
        "block_id": f"request:{request.public_id}",
        "text": {"type": "mrkdwn", "text": text},
        "accessory": withdraw,
    }


def _settings_blocks(personal: PersonalSettings) -> list[Block]:
    blocks: list[Block] = [_header("Your settings")]
    for name in PERSONAL_SETTINGS:
        on = bool(getattr(personal, name))
        title, description = SETTING_WORDS[name]
        button: Block = {
            "type": "button",
            "action_id": HOME_SETTING_TOGGLE,
            "text": _plain("Turn off" if on else "Turn on"),
            "value": f"{name}:{'off' if on else 'on'}",
        }
        if not on:
            button["style"] = "primary"
        state = "On" if on else "Off"
        blocks.append(
            {
                "type": "section",
                "block_id": f"setting:{name}",
                "text": {"type": "mrkdwn", "text": f"*{title}*: {state}\n{description}"},
                "accessory": button,
            }
        )
    blocks.append(context("Changes take effect at once. `/favor settings` has them too."))
    return blocks


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _chunks(lines: Sequence[str]) -> list[str]:
    """Lines joined into texts a section can hold."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
