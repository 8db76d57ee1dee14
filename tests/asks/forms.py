"""The Done (Confirm) form, as the asker opens and sends it in Slack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.asks.form import HELPERS, SIZE
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from slack_emulator import Message


def open_close_form(sandbox: Sandbox, user: str, dm: Message, action_id: str) -> dict[str, Any]:
    """Click Done (Confirm) in `dm`; return the form it opened."""
    before = set(sandbox.emulator.open_views)
    assert sandbox.driver.click(user, dm, action_id).status == 200
    [view] = [v for k, v in sandbox.emulator.open_views.items() if k not in before]
    assert sandbox.emulator.view_owner(view["id"]) == user
    return view


def send_close_form(
    sandbox: Sandbox,
    user: str,
    view: dict[str, Any],
    *,
    picked: Sequence[str] | None = None,
    size: str | None = None,
    metadata: str | None = None,
) -> dict[str, Any]:
    """Send the form as it opened, or with only `picked` ticked, or another `size`; return
    the app's answer ({} for a bare ack)."""
    state = form_state(view)
    if picked is not None:
        options = _element(view, HELPERS)["options"]
        chosen = [option for option in options if option["value"] in picked]
        chosen += [  # someone the form did not offer, as a forged submission would name
            {"text": {"type": "plain_text", "text": p}, "value": p}
            for p in picked
            if p not in {option["value"] for option in options}
        ]
        state[HELPERS][HELPERS]["selected_options"] = chosen
    if size is not None:
        [option] = [o for o in _element(view, SIZE)["options"] if o["value"] == size]
        state[SIZE][SIZE]["selected_option"] = option
    if metadata is not None:
        view = {**view, "private_metadata": metadata}
    delivery = sandbox.driver.submit_view(user, view, state)
    assert delivery.status == 200, delivery.body
    return delivery.json() if delivery.body else {}


def close(sandbox: Sandbox, user: str, dm: Message, action_id: str, **kw: Any) -> dict[str, Any]:
    """Click Done (Confirm) and send its form: everyone ticked, or `picked`."""
    return send_close_form(sandbox, user, open_close_form(sandbox, user, dm, action_id), **kw)


def _element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element: dict[str, Any] = block["element"]
    return element
