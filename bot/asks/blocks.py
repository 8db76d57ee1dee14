"""Messages about asks and offers: the channel message, the author's DMs, and notes to others.

Channel messages only celebrate: an open ask or offer, then who helped. Who said no to whom
stays in DMs.
"""

from __future__ import annotations

from bot.asks.requests import ASK, RequestInfo
from bot.favours.blocks import context, one_line, quote, section
from bot.slack.ids import (
    ASK_DONE,
    ASK_NOT_NEEDED,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    OFFER_CONFIRM,
    OFFER_DECLINE,
    OFFER_TAKE,
    OFFER_WITHDRAW,
)
from bot.slack.messages import Message, join_names, mention

MAX_NAME_IN_BUTTON = 40  # button labels hold 75 characters
UNDO_HINT = "Recorded by mistake? `/favor undo` takes it back within 24 hours."


def _button(action_id: str, label: str, value: str, style: str | None = None) -> dict[str, object]:
    button: dict[str, object] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def answer_value(public_id: str, responder_id: str) -> str:
    """The value of the buttons in the author's DM: which request, whose answer."""
    return f"{public_id}|{responder_id}"


def request_message(request: RequestInfo) -> Message:
    """The channel message of an ask or offer, as it stands: open with buttons, or closed."""
    ask = request.kind == ASK
    author = mention(request.author_id)
    if request.status == "fulfilled":
        others = _helpers(request)
        headline = (
            f":white_check_mark: {author} asked for a hand and {others} helped. "
            f"Thank you, {others}!"
            if ask
            else f":white_check_mark: {author} offered this and {others} took it up. "
            f"Thank you, {author}!"
        )
    elif request.status == "expired":
        headline = f":leaves: This {request.kind} by {author} has closed: it was open a good while."
    elif request.status == "withdrawn":
        headline = f":leaves: {author} has closed this {request.kind}."
    else:
        headline = (
            f":raised_hand: {author} is asking for a hand:"
            if ask
            else f":gift: {author} is offering:"
        )
    blocks: list[dict[str, object]] = [section(f"{headline}\n{quote(request.text)}")]
    if request.status == "open":
        blocks.append(
            {"type": "actions", "elements": _open_buttons(request), "block_id": "request"}
        )
        blocks.append(
            context(
                f"Click *I can help* and I'll let {author} know."
                if ask
                else f"Click *I'd like this* and I'll let {author} know."
            )
        )
    return {"text": f"{headline} {one_line(request.text, 200)}", "blocks": blocks}


def _helpers(request: RequestInfo) -> str:
    """Everyone credited when the request closed, by mention."""
    return join_names([mention(user_id) for user_id in _credited(request)])


def _open_buttons(request: RequestInfo) -> list[dict[str, object]]:
    ask = request.kind == ASK
    withdraw = _button(ASK_WITHDRAW if ask else OFFER_WITHDRAW, "Withdraw", request.public_id)
    withdraw["confirm"] = {
        "title": {"type": "plain_text", "text": f"Withdraw this {request.kind}?"},
        "text": {"type": "plain_text", "text": "Only the person who posted it can withdraw it."},
        "confirm": {"type": "plain_text", "text": "Withdraw"},
        "deny": {"type": "plain_text", "text": "Keep it"},
    }
    answer = _button(
        ASK_VOLUNTEER if ask else OFFER_TAKE,
        "I can help" if ask else "I'd like this",
        request.public_id,
        "primary",
    )
    return [answer, withdraw]


def answer_dm(request: RequestInfo, responder_id: str, responder_name: str) -> Message:
    """The author's DM about one answer, with the buttons to close the request or not."""
    name = one_line(responder_name, MAX_NAME_IN_BUTTON)
    value = answer_value(request.public_id, responder_id)
    if request.kind == ASK:
        headline = f":raised_hand: {mention(responder_id)} can help with your ask:"
        buttons = [
            _button(ASK_DONE, "Done…", value, "primary"),
            _button(ASK_NOT_NEEDED, f"Not needed from {name}", value),
        ]
        hint = (
            "Click *Done* once you've had the help: you'll tick who helped (everyone who "
            "answered, to begin with) and how big it was, and the ask closes."
        )
    else:
        headline = f":gift: {mention(responder_id)} would like your offer:"
        buttons = [
            _button(OFFER_CONFIRM, "Confirm…", value, "primary"),
            _button(OFFER_DECLINE, f"Decline {name}", value),
        ]
        hint = (
            "Click *Confirm* once it's given: you'll tick who got it (everyone who asked, to "
            "begin with), and the offer closes."
        )
    blocks = [
        section(f"{headline}\n{quote(request.text)}"),
        {"type": "actions", "elements": buttons, "block_id": "answer"},
        context(hint),
    ]
    return {"text": f"{headline} {one_line(request.text, 200)}", "blocks": blocks}


def answer_dm_outcome(request: RequestInfo, responder_id: str) -> Message:
    """The author's DM about one answer once the request is closed or the answer set aside."""
    who, ask = mention(responder_id), request.kind == ASK
    credited = request.status == "fulfilled" and responder_id in _credited(request)
    if credited:
        outcome = (
            f":tada: Done: you thanked {who}, and your ask is closed."
            if ask
            else f":tada: Confirmed: {who} has it, and your offer is closed."
        )
    elif request.status == "fulfilled":
        others = _helpers(request)
        outcome = (
            f"This ask is closed: {others} helped."
            if ask
            else f"This offer is closed: it went to {others}."
        )
    elif request.status == "withdrawn":
        outcome = f"You withdrew this {request.kind}."
    elif request.status == "expired":
        outcome = f"This {request.kind} was open so long that it closed on its own."
    else:
        outcome = f"You let {who} know it's not needed." if ask else f"You declined {who}."
    blocks: list[dict[str, object]] = [section(f"{outcome}\n{quote(request.text)}")]
    # The author recorded the favour (Done, Confirm): theirs to take back (bot.favours.undo).
    if credited:
        blocks.append(context(UNDO_HINT))
    return {"text": f"{outcome} {one_line(request.text, 200)}", "blocks": blocks}


def _credited(request: RequestInfo) -> tuple[str, ...]:
    return request.helper_ids or ((request.counterpart_id,) if request.counterpart_id else ())


def responder_note(request: RequestInfo, responder_id: str) -> Message:
    """A DM to the person who answered, once the author decided."""
    author, ask = mention(request.author_id), request.kind == ASK
    what = one_line(request.text, 200)
    if request.status == "fulfilled" and responder_id not in _credited(request):
        # Unticked in the Done form: kindly, and without saying who was ticked instead.
        text = (
            f"{author} has closed their ask “{what}”, and didn't need your hand with it in the "
            "end. Thank you for offering: it helps just to know you're there."
            if ask
            else f"{author} has closed their offer “{what}”; it went elsewhere this time. "
            "Thanks for asking!"
        )
        return {"text": text, "blocks": [section(text)]}
    if request.status != "fulfilled":
        text = (
            f"{author} has “{what}” covered now. Thank you for offering to help!"
            if ask
            else f"{author} can't give you “{what}” after all. Thanks for asking!"
        )
        return {"text": text, "blocks": [section(text)]}
    if ask:
        text = f":tada: {author} marked your help with “{what}” as done. Thank you!"
        return {"text": text, "blocks": [section(text)]}
    text = f":gift: {author} confirmed: “{what}” is yours."
    return {"text": text, "blocks": [section(text)]}


def answer_sent(request: RequestInfo) -> str:
    """The private note to someone who just answered an ask or offer."""
    author = mention(request.author_id)
    if request.kind == ASK:
        return f"Thank you! I've let {author} know you can help; they'll get back to you."
    return f"I've let {author} know you'd like this; they'll get back to you."


def could_not_reach(request: RequestInfo) -> str:
    return (
        f"I couldn't reach {mention(request.author_id)} just now, so nothing was sent. "
        "Please try again in a minute."
    )


def reminder_message(request: RequestInfo, waiting: list[str]) -> Message:
    """The author's one reminder, a day after the first answer, while answers still wait."""
    who, ask = join_names([mention(user_id) for user_id in waiting]), request.kind == ASK
    headline = (
        f":wave: {who} offered to help with your ask, and it's still open:"
        if ask
        else f":wave: {who} would like your offer, and it's still open:"
    )
    hint = (
        "Had the help? Click *Done* to tick who helped and close it. Not needed any more? "
        "Withdraw it from its message."
        if ask
        else "Given it? Click *Confirm* to tick who got it and close it. Not on any more? "
        "Withdraw it from its message."
    )
    button = _button(
        ASK_DONE if ask else OFFER_CONFIRM, "Done…" if ask else "Confirm…", request.public_id
    )
    blocks = [
        section(f"{headline}\n{quote(request.text)}"),
        {"type": "actions", "elements": [{**button, "style": "primary"}], "block_id": "answer"},
        context(hint),
    ]
    return {"text": f"{headline} {one_line(request.text, 200)}", "blocks": blocks}


def expiry_note(request: RequestInfo, days: int, waiting: list[str]) -> Message:
    """The author's note when their request closed on its own, open for `days` days."""
    what = one_line(request.text, 200)
    text = f"Your {request.kind} “{what}” was open for {days} days, so I've closed it. " + (
        "If you still need a hand, post it again with `/favor ask`."
        if request.kind == ASK
        else "If it still stands, post it again with `/favor offer`."
    )
    if waiting:
        who = join_names([mention(user_id) for user_id in waiting])
        text += (
            f" {who} had answered: if they helped, `/thanks` still says so."
            if request.kind == ASK
            else f" {who} had asked for it."
        )
    return {"text": text, "blocks": [section(text)]}
