"""Modals, Home tabs and the short-lived trigger ids that open modals.

Slack lets an app open a modal only with a trigger_id from an interaction, valid once and for
three seconds; the emulator hands out such triggers so a slow or reused one fails here too.
"""

from __future__ import annotations

import copy
import itertools
import secrets
from dataclasses import dataclass

from slack_emulator.models import JsonDict, SlackEmulatorRejected
from slack_emulator.workspace import Workspace

TRIGGER_TTL_SECONDS = 3.0
# The parts of a request's view that Slack keeps; it fills in the rest itself.
_VIEW_KEYS = (
    "type",
    "title",
    "blocks",
    "close",
    "submit",
    "private_metadata",
    "callback_id",
    "external_id",
    "clear_on_close",
    "notify_on_close",
    "submit_disabled",
)


@dataclass
class _Trigger:
    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class _StoredView:
    user_id: str
    view: JsonDict


class ViewStore:
    def __init__(self, workspace: Workspace, *, trigger_ttl: float = TRIGGER_TTL_SECONDS) -> None:
        self._ws = workspace
        self._trigger_ttl = trigger_ttl
        self._views: dict[str, _StoredView] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._serial = itertools.count(1)

    def new_trigger(self, user_id: str) -> str:
        # Slack's triggers look like "12345.98765.abcd2358fdea"; the bot only passes them on.
        with self._ws.lock:
            now = self._ws.clock()
            trigger_id = f"{next(self._serial)}.{int(now)}.{secrets.token_hex(16)}"
            expires = now + self._trigger_ttl
            self._triggers[trigger_id] = _Trigger(user_id, expires)
        return trigger_id

    def exchange_trigger(self, trigger_id: str) -> str:
        """The user a trigger belongs to; a trigger works once, within its lifetime."""
        with self._ws.lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is None:
                raise SlackEmulatorRejected("invalid_trigger_id")
            if trigger.used:
                raise SlackEmulatorRejected("exchanged_trigger_id")
            if self._ws.clock() > trigger.expires_at:
                raise SlackEmulatorRejected("expired_trigger_id")
            trigger.used = True
            return trigger.user_id

    def open(self, user_id: str, request: JsonDict) -> JsonDict:
        with self._ws.lock:
            self._check_external_id(request, None)
            view = self._build(request, self._ws.next_id("V"))
            self._views[view["id"]] = _StoredView(user_id, view)
            return copy.deepcopy(view)

    def publish(self, user_id: str, request: JsonDict, expected_hash: object) -> JsonDict:
        with self._ws.lock:
            current = next(
                (s for s in self._views.values() if s.user_id == user_id and _is_home(s)), None
            )
            if current is not None:
                _check_hash(current, expected_hash)
            view_id = current.view["id"] if current is not None else self._ws.next_id("V")
            self._check_external_id(request, view_id)
            view = self._build(request, view_id)
            self._views[view_id] = _StoredView(user_id, view)
            return copy.deepcopy(view)

    def find(self, view_id: object, external_id: object) -> JsonDict:
        with self._ws.lock:
            for stored in self._views.values():
                if view_id and stored.view["id"] == view_id:
                    return copy.deepcopy(stored.view)
                if external_id and stored.view.get("external_id") == external_id:
                    return copy.deepcopy(stored.view)
        raise SlackEmulatorRejected("not_found")

    def update(self, view_id: str, request: JsonDict, expected_hash: object) -> JsonDict:
        with self._ws.lock:
            stored = self._views.get(view_id)
            if stored is None:
                raise SlackEmulatorRejected("not_found")
            _check_hash(stored, expected_hash)
            self._check_external_id(request, view_id)
            previous = stored.view
            stored.view = self._build(request, view_id, root=previous["root_view_id"])
            # A view keeps its external_id through updates that do not name one.
            if "external_id" not in request:
                stored.view["external_id"] = previous["external_id"]
            return copy.deepcopy(stored.view)

    def close(self, view_id: str) -> None:
        with self._ws.lock:
            stored = self._views.get(view_id)
            if stored is not None and not _is_home(stored):
                del self._views[view_id]

    def published(self) -> dict[str, JsonDict]:
        with self._ws.lock:
            views = self._views.values()
            return {s.user_id: copy.deepcopy(s.view) for s in views if _is_home(s)}

    def open_views(self) -> dict[str, JsonDict]:
        with self._ws.lock:
            views = self._views.items()
            return {vid: copy.deepcopy(s.view) for vid, s in views if not _is_home(s)}

    def owner(self, view_id: str) -> str | None:
        with self._ws.lock:
            stored = self._views.get(view_id)
            return stored.user_id if stored is not None else None

    def reset(self) -> None:
        with self._ws.lock:
            self._views.clear()
            self._triggers.clear()

    def _check_external_id(self, request: JsonDict, own_view_id: str | None) -> None:
        external_id = request.get("external_id")
        if not external_id:
            return
        for view_id, stored in self._views.items():
            if view_id != own_view_id and stored.view.get("external_id") == external_id:
                raise SlackEmulatorRejected("duplicate_external_id")

    def _build(self, request: JsonDict, view_id: str, *, root: str | None = None) -> JsonDict:
        ident = self._ws.identity
        view: JsonDict = {
            "id": view_id,
            "team_id": ident.team_id,
            "type": request["type"],
            "blocks": [],
            "close": None,
            "submit": None,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "hash": f"{int(self._ws.clock())}.{secrets.token_hex(4)}",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": root or view_id,
            "previous_view_id": None,
            "app_id": ident.app_id,
            "bot_id": ident.bot_id,
        }
        view.update({key: copy.deepcopy(request[key]) for key in _VIEW_KEYS if key in request})
        return view


def _is_home(stored: _StoredView) -> bool:
    return bool(stored.view["type"] == "home")


def _check_hash(stored: _StoredView, expected_hash: object) -> None:
    # Slack's guard against two writers: a stale hash means someone else changed the view.
    if expected_hash and expected_hash != stored.view["hash"]:
        raise SlackEmulatorRejected("hash_conflict")
