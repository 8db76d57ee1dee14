"""The App Home's asks and offers in the member's channels: other people's, still open, each
with the button that answers it, unless the member has answered it already."""

from __future__ import annotations

from typing import Any

from bot.asks.requests import ASK, NearbyRequest
from bot.favours.blocks import listed, one_line
from bot.home.contents import Home
from bot.slack.ids import ASK_VOLUNTEER, OFFER_TAKE
from bot.slack.messages import mention

Block = dict[str, Any]

TEXT_SHOWN = 200


def nearby_blocks(home: Home) -> list[Block]:
    """Nothing when there is nothing open around the member (or Slack would not say where)."""
    if not home.nearby:
        return []
    items = [_nearby_block(nearby) for nearby in home.nearby]
    return listed("*Asks and offers in your channels*", items, home.nearby_total)


def _nearby_block(nearby: NearbyRequest) -> Block:
    request = nearby.request
    ask = request.kind == ASK
    verb = "asks" if ask else "offers"
    text = (
        f"{mention(request.author_id)} {verb} in <#{request.channel_id}>: "
        f"{one_line(request.text, TEXT_SHOWN)}"
    )
    block: Block = {
        "type": "section",
        "block_id": f"nearby:{request.public_id}",
        "text": {"type": "mrkdwn", "text": text},
    }
    if nearby.answered:
        said = "You've offered to help." if ask else "You've said you'd like this."
        block["text"]["text"] += f"\n_{said} {mention(request.author_id)} knows._"
        return block
    block["accessory"] = {
        "type": "button",
        "action_id": ASK_VOLUNTEER if ask else OFFER_TAKE,
        "text": {"type": "plain_text", "text": "I can help" if ask else "I'd like this"},
        "value": request.public_id,
        "style": "primary",
    }
    return block
