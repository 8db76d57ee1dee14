"""`/thanks` and the *Thank for this* shortcut: parsing, the rules' caller, the messages."""
