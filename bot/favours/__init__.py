"""`/favor @someone …`: a favour logged privately, and its one public shout-out; and
`/favor undo`, which takes back the last credit someone gave, and what it did."""
