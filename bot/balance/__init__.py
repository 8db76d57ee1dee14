"""`/favor balance` and `/favor history`: a member's own exchanges, privately."""
