"""allauth providers owned by the dashboard."""
