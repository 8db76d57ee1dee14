"""manifest.yml is valid for Slack and declares exactly what the code registers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.sandbox.harness import Sandbox
from bot.slack import ids as slack_ids


@pytest.fixture(scope="module")
def manifest(project_root_module: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project_root_module / "manifest.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def project_root_module() -> Path:
    return Path(__file__).resolve().parents[2]


def test_manifest_validates_against_slacks_schema(
    manifest: dict[str, Any], project_root_module: Path
) -> None:
    schema_path = project_root_module.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"
    if not schema_path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"Slack's manifest schema is missing at {schema_path}; CI must have it")
        pytest.skip(f"Slack's manifest schema is not beside this checkout ({schema_path})")
    schema = json.loads(schema_path.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_manifest_commands_are_the_registered_ones(manifest: dict[str, Any]) -> None:
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert declared == slack_ids.COMMANDS
    # Mentions must arrive as <@U123> for /thanks to know who is meant.
    assert all(command["should_escape"] for command in manifest["features"]["slash_commands"])


def test_manifest_events_are_the_registered_ones(manifest: dict[str, Any]) -> None:
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert declared == slack_ids.BOT_EVENTS


def test_manifest_scopes_are_the_ones_the_code_needs(manifest: dict[str, Any]) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == slack_ids.BOT_SCOPES


def test_manifest_shortcuts_are_the_registered_ones(manifest: dict[str, Any]) -> None:
    declared = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert declared == slack_ids.SHORTCUT_CALLBACK_IDS


def _registered(app: Any) -> dict[str, set[str]]:
    """What the Bolt app really listens for, by Bolt's matcher kind (command, event, …)."""
    found: dict[str, set[str]] = {}
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            kind = getattr(func, "__qualname__", "").split(".")[0]
            found.setdefault(kind, set()).update(_matcher_constants(func))
    return found


def _matcher_constants(func: Any) -> set[str]:
    closure = getattr(func, "__closure__", None) or ()
    found: set[str] = set()
    for cell in closure:
        value = cell.cell_contents
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for key in ("type", "callback_id", "action_id"):
                if isinstance(value.get(key), str):
                    found.add(value[key])
    return found


def test_the_app_registers_exactly_what_the_manifest_declares(
    manifest: dict[str, Any], sandbox: Sandbox
) -> None:
    registered = _registered(sandbox.app)
    declared_shortcuts = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert registered["command"] == {c["command"] for c in manifest["features"]["slash_commands"]}
    assert registered["event"] == set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert registered.get("message_shortcut", set()) == declared_shortcuts
    # Buttons and modals need interactivity switched on in the manifest.
    if registered.get("action") or registered.get("view_submission"):
        assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_every_action_and_view_id_is_spelled_in_slack_ids(sandbox: Sandbox) -> None:
    registered = _registered(sandbox.app)
    spelled = {
        value
        for name, value in vars(slack_ids).items()
        if name.isupper() and isinstance(value, str)
    }
    for kind in ("action", "view_submission", "message_shortcut"):
        assert registered.get(kind, set()) <= spelled, kind
