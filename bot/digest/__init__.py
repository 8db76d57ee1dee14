"""The weekly digest: the week's exchanges, told as a celebration."""
