"""`/favor balance`, `/favor history` and `/favor undo`: a member's own exchanges, privately."""
