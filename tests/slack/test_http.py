"""Signed HTTP requests to the real WSGI app on loopback, as Slack sends them."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Member, ProcessedEvent
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import HttpTransport, sign
from bot.slack.web import wsgi_app
from tests.support import LoopbackServer

ALICE, BOB = "U0ALICE01", "U0BOB0002"


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[tuple[SlackDriver, str]]:
    with LoopbackServer(wsgi_app(sandbox.app)) as server:
        url = f"{server.url}/slack/events"
        yield SlackDriver(sandbox.emulator, SIGNING_SECRET, HttpTransport(url)), url


def credit_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Credit)) or 0


def test_thanks_over_http(
    http: tuple[SlackDriver, str], sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    driver, _ = http
    delivery, shown = driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the demo", "C0GENERAL")
    assert (delivery.status, delivery.body, shown) == (200, "", None)  # Bolt's bare ack
    assert credit_count(sessions) == 1
    sandbox.settle()
    [posted] = sandbox.emulator.messages("C0GENERAL")
    assert posted.source == "api" and posted.ephemeral_for is None  # the bot's own post

    # An answer with words is JSON, as Slack wants it.
    delivery, shown = driver.slash_command(ALICE, "/thanks", "for nobody", "C0GENERAL")
    assert delivery.headers["content-type"].startswith("application/json")
    assert shown is not None and shown.ephemeral_for == ALICE


def test_a_forged_signature_is_refused_with_401(
    http: tuple[SlackDriver, str], sessions: sessionmaker[Session]
) -> None:
    driver, _ = http
    payload = driver.command_payload(ALICE, "/thanks", f"<@{BOB}> for it", "C0GENERAL")
    forged = SlackDriver(driver.emulator, "not-the-signing-secret", driver.transport)
    assert forged.send_form(payload).status == 401
    assert credit_count(sessions) == 0


def test_a_stale_timestamp_is_refused_with_401(
    http: tuple[SlackDriver, str], sessions: sessionmaker[Session]
) -> None:
    driver, _ = http
    payload = driver.command_payload(ALICE, "/thanks", f"<@{BOB}> for it", "C0GENERAL")
    six_minutes_ago = int(time.time()) - 6 * 60
    assert driver.send_form(payload, timestamp=six_minutes_ago).status == 401
    assert credit_count(sessions) == 0


def test_a_missing_signature_is_refused_with_401(
    http: tuple[SlackDriver, str], sessions: sessionmaker[Session]
) -> None:
    driver, url = http
    body = "command=%2Fthanks&text=hello"
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 401
    headers = sign(SIGNING_SECRET, body + "tampered")
    assert driver.transport.send(body, headers).status == 401


def test_an_event_retried_over_http_counts_once(
    http: tuple[SlackDriver, str], sessions: sessionmaker[Session]
) -> None:
    driver, _ = http
    user = {"id": "U0NEWBIE3", "team_id": "T0SANDBOX", "name": "ines", "profile": {}}
    envelope = driver.event_envelope({"type": "team_join", "user": user})
    assert driver.send_event(envelope).status == 200
    assert driver.send_event(envelope, retry_num=1).status == 200
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        assert session.get(Member, ("T0SANDBOX", "U0NEWBIE3")) is not None


def test_other_paths_are_not_found(http: tuple[SlackDriver, str]) -> None:
    _, url = http
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url.replace("/slack/events", "/nope"), timeout=5)
    missing.value.close()
    assert missing.value.code == 404
