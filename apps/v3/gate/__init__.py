"""The gate in front of every V3 operation: token, scopes, privileges, rate limits, error shapes."""
