"""What the lists, tags, custom fields and segments forms share: errors announced as they appear."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.ctct import BadRequest, Conflict, CtctError, Forbidden

__all__ = ["API_FORM_ERRORS", "AlertErrorList", "ManagementForm"]

# The API refusals a form shows to the person (anything else is the page's problem, not theirs).
API_FORM_ERRORS: tuple[type[CtctError], ...] = (BadRequest, Conflict, Forbidden)


class AlertErrorList(ErrorList):
    """Django's error list, announced by screen readers the moment it appears (``role="alert"``)."""

    def render(self, template_name: str | None = None, context: Any = None, renderer: Any = None) -> SafeString:
        if not self.data:
            return SafeString("")
        items = format_html_join("", "<li>{}</li>", ((error,) for error in self))
        field_id = getattr(self, "field_id", None)  # Django 5.2's; the stubs do not know it yet
        if field_id:  # the id the field's aria-describedby points at
            return format_html('<ul class="{}" id="{}_error" role="alert">{}</ul>', self.error_class, field_id, items)
        return format_html('<ul class="{}" role="alert">{}</ul>', self.error_class, items)

    __str__ = render
    __html__ = render


class ManagementForm(forms.Form):
    """A form whose errors are announced (``AlertErrorList``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", AlertErrorList)
        super().__init__(*args, **kwargs)
