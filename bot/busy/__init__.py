"""Capacity: `/favor busy` and `/favor available`, and who is at capacity now."""
