"""The weekly rhythm: ticks that plan what is due, the outbox, and the sender."""
