"""Routes of the contacts pages (namespace ``contacts``), one section per thing managed."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "contacts"

urlpatterns: list[URLPattern] = [
    # Contacts
    # Lists
    # Tags
    # Custom fields
    # Segments
]
