"""The rules of each campaigns operation: checks against the account, status machines, then writes."""
