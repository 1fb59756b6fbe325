"""The contact tag form (create and rename)."""

from __future__ import annotations

from django import forms

from ctctdash.pages import ManagementForm

__all__ = ["ContactTagForm"]


class ContactTagForm(ManagementForm):
    """A tag's name; uniqueness is the API's to judge."""

    name = forms.CharField(max_length=255)
