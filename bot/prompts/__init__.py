"""The weekly "Who helped you this week?" DM, its form, and recording its answers."""
