"""Credit emoji on a colleague's message: the credit, its removal, the reactor's note."""
