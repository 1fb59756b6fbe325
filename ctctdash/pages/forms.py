"""What the dashboard's forms share: errors announced as they appear, focus on the first error, the
API's messages at the fields they name, and choices to offer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.ctct import BadRequest, Conflict, CtctError, Forbidden

__all__ = [
    "API_FORM_ERRORS",
    "AccessibleForm",
    "AlertErrorList",
    "ApiFieldError",
    "Choice",
    "ManagementForm",
    "add_api_errors",
    "api_field_errors",
    "offer",
]

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


@dataclass(frozen=True)
class Choice:
    """One thing to pick (a list, tag, segment): its id (as text) and its name."""

    id: str
    name: str


def offer(form: forms.Form, name: str, choices: Iterable[Choice], blank: str | None = None) -> None:
    """Give the choice field ``name`` the account's lists, tags or segments (and a blank first option)."""
    options = [(c.id, c.name) for c in choices]
    cast(forms.ChoiceField, form.fields[name]).choices = [("", blank), *options] if blank is not None else options


# --- API errors at form fields ---------------------------------------------------------------------

# "first_name: ...", "email_address.address: ...", "phone_numbers[1].kind: ...", and
# "birthday_month, birthday_day: ..." (several fields at once).
_NAME = r"[A-Za-z_][\w.\[\]]*"
_FIELD_MESSAGE = re.compile(rf"^(?P<paths>{_NAME}(?:, {_NAME})*): (?P<message>.+)$", re.DOTALL)
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class ApiFieldError:
    """One message of an API error: the body paths it names (dotted, ``a.0.b``) and its text without them."""

    paths: tuple[str, ...]
    message: str
    full_message: str


def api_field_errors(error: CtctError) -> list[ApiFieldError]:
    """Each entry of the error, split into the fields its message names (none when it names none)."""
    found = []
    for entry in error.errors:
        text = entry.error_message.strip()
        match = _FIELD_MESSAGE.match(text)
        if match is None:
            found.append(ApiFieldError((), text, text))
            continue
        paths = tuple(_INDEX.sub(r".\1", p) for p in match["paths"].split(", "))
        found.append(ApiFieldError(paths, match["message"], text))
    return found


def _field_for(path: str, fields: Mapping[str, str]) -> str | None:
    """The form field of the longest known prefix of ``path`` (``custom_fields.2.value`` -> ``custom_fields.2``)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        name = fields.get(".".join(parts[:end]))
        if name is not None:
            return name
    return None


def add_api_errors(
    form: forms.Form, error: CtctError, fields: Mapping[str, str], conflict_field: str | None = None
) -> None:
    """Show the API's messages at the form fields they name; the rest above the form.

    ``fields`` maps body paths (dotted) to form field names. ``conflict_field`` takes a 409 whose
    message names no field: on a create that is the duplicate email, the only conflict
    ``createContact`` declares, whatever words a server puts it in.
    """
    for item in api_field_errors(error):
        name = next((n for n in (_field_for(p, fields) for p in item.paths) if n in form.fields), None)
        if name is None and not item.paths and isinstance(error, Conflict) and conflict_field in form.fields:
            name = conflict_field
        form.add_error(name, item.message if name else item.full_message)
