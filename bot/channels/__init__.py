"""Channels as Goodwill knows them: a member's channels, archived ones, public or not."""
