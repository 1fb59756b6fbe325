"""Dashboard contacts: contacts, lists, tags, custom fields and segments, through the V3 client."""
