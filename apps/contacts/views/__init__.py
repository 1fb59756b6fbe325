"""Contacts pages, one module per thing managed (contacts, lists, tags, custom fields, segments)."""
