"""The rules. Services take a session and `now`, never commit, and never call Slack."""
