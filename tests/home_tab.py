"""Helpers for the App Home's tests: opening the Home as Slack does, clicking in it, reading it,
and writing a member's history in bulk."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.ledger.credits import NewCredit
from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import Delivery
from tests.support import insert_credits

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
_keys = count(1)


def open_home(sandbox: Sandbox, user_id: str, *, tab: str = "home") -> Delivery:
    """The member opens Goodwill's Home (or Messages) tab: Slack's app_home_opened event."""
    return sandbox.driver.open_home(user_id, tab)


def home(sandbox: Sandbox, user_id: str) -> dict[str, Any]:
    """The member's Home as Slack shows it now."""
    return sandbox.emulator.published_views[user_id]


def shown_home(sandbox: Sandbox, user_id: str) -> dict[str, Any]:
    delivery = open_home(sandbox, user_id)
    assert delivery.status == 200, delivery.body
    return home(sandbox, user_id)


def text_of(view: dict[str, Any]) -> str:
    """Every piece of text in a view's blocks, one per line, buttons included."""
    return "\n".join(_texts(view["blocks"]))


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
            yield value["text"]
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def elements(view: dict[str, Any], action_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(block_id, element) of every interactive element with `action_id` in the view."""
    found = []
    for block in view["blocks"]:
        candidates = [
            *block.get("elements", []),
            *([block["accessory"]] if "accessory" in block else []),
        ]
        found.extend(
            (block.get("block_id", ""), element)
            for element in candidates
            if element.get("action_id") == action_id
        )
    return found


def home_click(
    sandbox: Sandbox, user_id: str, action_id: str, *, value: str | None = None
) -> Delivery:
    """A click on a button of the member's Home, as Slack sends it: no channel, no
    response_url, the view in the payload. `value` picks the button (or forges one)."""
    view = home(sandbox, user_id)
    buttons = elements(view, action_id)
    chosen = next((b for b in buttons if value is None or b[1].get("value") == value), None)
    block_id, element = chosen or (buttons[0] if buttons else ("forged", {"type": "button"}))
    action = {
        "type": element.get("type", "button"),
        "action_id": action_id,
        "block_id": block_id,
        "value": value if value is not None else element.get("value"),
        "action_ts": f"{time.time():.6f}",
    }
    return sandbox.driver.send_interaction(
        sandbox.driver.view_action_payload(user_id, view, action)
    )


def credit(
    sessions: sessionmaker[Session],
    helper: str,
    helped: str,
    at: datetime,
    *,
    weight: int = 1,
    kind: str = "favor",
    reason: str | None = None,
) -> None:
    with sessions.begin() as session:
        new = NewCredit(helper, helped, kind, f"home-test:{next(_keys)}", weight, reason)
        insert_credits(session, TEAM, [new], at)


def bulk_history(
    sessions: sessionmaker[Session],
    member: str,
    now: datetime,
    total: int,
    people: int,
    reason: str,
) -> None:
    """`total` credits between `member` and `people` made-up colleagues, both ways, spread
    over the last 200 days, in a few large inserts."""
    with sessions.begin() as session:
        for start in range(0, total, 1000):
            batch = []
            for number in range(start, min(start + 1000, total)):
                other = f"U9{number % people:07d}"
                gives = (number // people) % 2 == 0
                helper, helped = (member, other) if gives else (other, member)
                batch.append(
                    NewCredit(
                        helper, helped, "thanks", f"bulk:{member}:{number}", 1 + number % 3, reason
                    )
                )
            # insert_credits stamps one instant a batch; spread the batches over 200 days.
            at = now - timedelta(days=200 * start / max(total, 1))
            insert_credits(session, TEAM, batch, at)
