"""What the dashboard's contacts forms share: errors announced as they appear, focus on the first error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.contacts.services import Choice
from apps.ctct import BadRequest, Conflict, CtctError, Forbidden

__all__ = ["API_FORM_ERRORS", "AccessibleForm", "AlertErrorList", "ManagementForm", "offer"]

# The API refusals a form shows to the person (anything else is the page's problem, not theirs).
API_FORM_ERRORS: tuple[type[CtctError], ...] = (BadRequest, Conflict, Forbidden)


class AlertErrorList(ErrorList):
    """Django's error list, announced by screen readers the moment it appears (``role="alert"``).

    The alert is a wrapper: on the ``<ul>`` itself the role would replace the list's, leaving its
    items outside any list (axe's ``listitem`` rule).
    """

    def render(self, template_name: str | None = None, context: Any = None, renderer: Any = None) -> SafeString:
        if not self.data:
            return SafeString("")
        items = format_html_join("", "<li>{}</li>", ((error,) for error in self))
        errors = format_html('<ul class="{}">{}</ul>', self.error_class, items)
        field_id = getattr(self, "field_id", None)  # Django 5.2's; the stubs do not know it yet
        if field_id:  # the id the field's aria-describedby points at
            return format_html('<div id="{}_error" role="alert">{}</div>', field_id, errors)
        return format_html('<div role="alert">{}</div>', errors)

    __str__ = render
    __html__ = render


class ManagementForm(forms.Form):
    """A form whose errors are announced (``AlertErrorList``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", AlertErrorList)
        super().__init__(*args, **kwargs)


class AccessibleForm(ManagementForm):
    """Focus starts on the first field, or on the first field in error once there are errors.

    Errors are announced (``ManagementForm``'s ``role="alert"`` lists) and tied to their inputs:
    Django points ``aria-describedby`` at ``<id>_error`` and ``<id>_helptext`` and sets
    ``aria-invalid``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._focus()

    def add_error(self, field: str | None, error: Any) -> None:
        """Django's, then move the focus to the first field in error (the API's errors arrive here too)."""
        super().add_error(field, error)
        self._focus()

    def _focus(self) -> None:
        errors = getattr(self, "_errors", None) or {}  # None until the form is first cleaned
        target = next((name for name in self.fields if name in errors), next(iter(self.fields), None))
        for name, form_field in self.fields.items():
            if name == target:
                form_field.widget.attrs["autofocus"] = True
            else:
                form_field.widget.attrs.pop("autofocus", None)


def offer(form: forms.Form, name: str, choices: Iterable[Choice], blank: str | None = None) -> None:
    """Give the choice field ``name`` the account's lists, tags or segments (and a blank first option)."""
    options = [(c.id, c.name) for c in choices]
    cast(forms.ChoiceField, form.fields[name]).choices = [("", blank), *options] if blank is not None else options
