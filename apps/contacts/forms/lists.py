"""The contact list form (create and edit)."""

from __future__ import annotations

from django import forms

from ctctdash.pages import ManagementForm

__all__ = ["ContactListForm"]


class ContactListForm(ManagementForm):
    """A list's name, description and favorite flag; uniqueness is the API's to judge."""

    name = forms.CharField(max_length=255, help_text="Contacts never see this name.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    favorite = forms.BooleanField(required=False, label="Favorite (shown first when choosing lists)")
