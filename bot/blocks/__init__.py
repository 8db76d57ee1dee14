"""Pure Block Kit builders: data in, Slack message or view dicts out."""
