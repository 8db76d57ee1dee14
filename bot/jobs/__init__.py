"""The scheduler's side: ticks that plan what is due, and the sender that delivers it."""
