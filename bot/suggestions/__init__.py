"""Likely helpers for an ask: who offers, was publicly thanked for or lists what it needs."""
