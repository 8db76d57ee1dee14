"""The bare Bolt app bench.socket_mode measures the Socket Mode clients with: /thanks only
acks. `python -m bench._socket_mode_app builtin|runner`, with SLACK_API_URL, SLACK_BOT_TOKEN
and SLACK_APP_TOKEN set."""

from __future__ import annotations

import os
import sys

from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.slack.socket_mode import SocketModeRunner


def _ack(ack: Ack) -> None:
    ack()


def main(client_name: str) -> None:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, token_verification_enabled=False)
    app.command("/thanks")(_ack)
    app_token = os.environ["SLACK_APP_TOKEN"]
    if client_name == "builtin":
        SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
    else:
        SocketModeRunner(app, app_token).run()


if __name__ == "__main__":
    main(sys.argv[1])
