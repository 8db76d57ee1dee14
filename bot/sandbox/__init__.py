"""Try Goodwill without a Slack workspace.

`bot.sandbox.emulator` serves a loopback imitation of the Slack Web API that the bot talks to
through an ordinary `slack_sdk.WebClient`; the test-suite uses the same emulator as its fake
Slack. `bot.sandbox.render` turns what the bot posted into plain text for a terminal.
"""
