"""V3 endpoints: one module per spec tag (``account_services.py``, ``contacts.py``, ...)."""
