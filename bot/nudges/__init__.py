"""Private nudges: rare, kind DMs about a person's own exchanges, and their buttons."""
