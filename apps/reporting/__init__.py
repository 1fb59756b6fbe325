"""Reports pages of the dashboard: a campaign's report and the account's recent campaigns compared."""
