"""Workspaces and the members cache that the hot path reads instead of calling Slack."""
