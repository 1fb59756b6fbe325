"""The form that adds a note to a contact."""

from __future__ import annotations

from django import forms

from ctctdash.pages import AccessibleForm

from ..services_notes import NOTE_LENGTH

__all__ = ["NoteForm"]


class NoteForm(AccessibleForm):
    """A new note's text (the API dates it)."""

    content = forms.CharField(
        label="New note",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {NOTE_LENGTH:,} characters.",
        error_messages={"required": "Write the note first."},
    )
