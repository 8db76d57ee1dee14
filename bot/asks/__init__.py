"""Asks and offers: posted in a channel, answered with a button, closed by their author."""
