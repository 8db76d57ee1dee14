"""Team insight without surveillance: counts over five people or more, and a chart."""
