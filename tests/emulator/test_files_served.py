"""Files shared through files_upload_v2 keep their alt text and are served back at their
url_private, to a GET with the bot token, as files.slack.com does."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, SlackUser

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


def get(url: str, token: str | None) -> tuple[int, str, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


def test_a_shared_file_is_served_at_its_private_urls_with_its_alt_text(
    emulator: SlackEmulator,
) -> None:
    client = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    person = emulator.add_user(SlackUser(id="U0PERSON1", team_id=emulator.team_id, name="person"))
    dm = client.conversations_open(users=person.id)["channel"]["id"]

    shared = client.files_upload_v2(
        channel=dm, content=PNG, filename="chart.png", title="Chart", alt_txt="A line chart"
    )["file"]

    [file] = emulator.uploaded_files
    assert (file.alt_txt, file.mimetype, file.content) == ("A line chart", "image/png", PNG)
    assert shared["alt_txt"] == "A line chart"
    assert shared["mimetype"] == "image/png"
    for url in (shared["url_private"], shared["url_private_download"]):
        assert url.startswith(emulator.base_url)
        assert get(url, emulator.bot_token) == (200, "image/png", PNG)
        status, _, body = get(url, None)
        assert (status, body) == (403, b"not_authed")
        assert get(url, "xoxb-someone-else")[0] == 403
    missing = shared["url_private"].replace(file.id, "F0NOTHERE")
    assert get(missing, emulator.bot_token)[0] == 404
