"""Try Goodwill without a Slack workspace.

The package `slack_emulator` serves a loopback imitation of the Slack Web API that the bot
talks to through an ordinary `slack_sdk.WebClient`; the test-suite uses the same emulator as
its fake Slack. This package drives it for Goodwill: `bot.sandbox.driver` sends what people do
to the app as signed Slack payloads, and `bot.sandbox.render` turns what the bot posted into
plain text for a terminal.
"""
