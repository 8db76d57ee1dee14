"""The ledger: every credit is written here, through one guarded statement (`record`).

credits  what a credit is (NewCredit, its row, its reason key) and the giver's lock
rules    the fair-use rules, once, as SQL: the guard of the insert and the flags that explain it
record   the one write path: lock the giver, insert what the rules allow, explain what they refused
skipped  why a helper was not credited, and the refusal that says it in the caller's words
"""
