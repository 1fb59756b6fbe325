"""allauth provider ``constantcontact``: sign in with Constant Contact (or the built-in service)."""
