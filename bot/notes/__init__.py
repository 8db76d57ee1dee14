"""Private notes: what a member keeps about a colleague, for their eyes only."""
