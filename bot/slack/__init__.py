"""Slack plumbing: the Bolt app, Web API calls, identifiers, installations, HTTP serving."""
