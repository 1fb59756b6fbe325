"""Forms of the contacts pages, one module per thing managed."""
