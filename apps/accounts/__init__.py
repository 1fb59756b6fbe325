"""Dashboard accounts: sign-in, workspaces, members and Constant Contact connections."""
