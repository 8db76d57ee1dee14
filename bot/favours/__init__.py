"""`/favor @someone …`: a favour logged privately, and its one public shout-out."""
