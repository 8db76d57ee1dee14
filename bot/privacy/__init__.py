"""`/favor forget-me`, the pseudonyms of the forgotten, and the admins' export."""
