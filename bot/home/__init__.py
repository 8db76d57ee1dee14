"""The App Home: a member's reciprocity map, entries, asks and offers, settings."""
