"""Settings: each member's own switches, and the workspace's, as admins set them."""
