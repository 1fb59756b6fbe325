"""What the dashboard's forms share: errors announced as they appear, focus on the first error, the
API's messages in the form's words at the fields they name (every field in error marked), and
choices to offer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.ctct import BadRequest, Conflict, CtctError, Forbidden

from .api_messages import capitalised, reworded

__all__ = [
    "API_FORM_ERRORS",
    "AccessibleForm",
    "AlertErrorList",
    "ApiFieldError",
    "Choice",
    "ManagementForm",
    "MarkedBoundField",
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
        element_id = self.element_id
        if element_id:  # the id the fields' aria-describedby points at
            return format_html('<div id="{}" role="alert">{}</div>', element_id, errors)
        return format_html('<div role="alert">{}</div>', errors)

    @property
    def element_id(self) -> str | None:
        """The wrapper's id: ``<field id>_error`` for a field's errors, ``alert_id`` for the form's own."""
        explicit = getattr(self, "alert_id", None)
        if explicit:
            return str(explicit)
        field_id = getattr(self, "field_id", None)  # Django 5.2's; the stubs do not know it yet
        return f"{field_id}_error" if field_id else None

    __str__ = render
    __html__ = render


class MarkedBoundField(BoundField):
    """Django's bound field, also in error when a message above the form is about it (``mark_invalid``):
    ``aria-invalid`` and an ``aria-describedby`` naming that message, as its own errors would."""

    def build_widget_attrs(self, attrs: Any, widget: Any = None) -> Any:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.name not in getattr(self.form, "marked_invalid", ()) or (widget or self.field.widget).is_hidden:
            return attrs
        attrs["aria-invalid"] = "true"
        if not self.use_fieldset:  # a group's inputs are described by its legend, as Django does
            described = attrs.get("aria-describedby") or self.field.widget.attrs.get("aria-describedby")
            attrs["aria-describedby"] = " ".join(filter(None, [described, top_errors_id(self.form)]))
        return attrs


def top_errors_id(form: forms.BaseForm) -> str:
    """The id of the errors shown above ``form`` (not its fields'): ``id_form_errors``, with its prefix."""
    name = form.add_prefix("form_errors")
    auto_id = form.auto_id
    return auto_id % name if isinstance(auto_id, str) and "%s" in auto_id else name


def mark_invalid(form: forms.Form, names: Iterable[str]) -> None:
    """Mark the fields ``names`` in error by the message above the form (``MarkedBoundField``)."""
    marked: set[str] = getattr(form, "marked_invalid", set())
    marked.update(n for n in names if n in form.fields)
    form.marked_invalid = marked  # type: ignore[attr-defined]
    if isinstance(form, AccessibleForm):
        form._focus()


class ManagementForm(forms.Form):
    """A form whose errors are announced (``AlertErrorList``), and whose fields a message above the
    form can mark in error (``MarkedBoundField``)."""

    bound_field_class = MarkedBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", AlertErrorList)
        super().__init__(*args, **kwargs)

    def non_field_errors(self) -> ErrorList:
        """Django's, with the id the fields it is about point at (``top_errors_id``)."""
        errors = super().non_field_errors()
        errors.alert_id = top_errors_id(self)  # type: ignore[attr-defined]
        return errors


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
        in_error = set(errors) | getattr(self, "marked_invalid", set())
        target = next((name for name in self.fields if name in in_error), next(iter(self.fields), None))
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
    error_key: str | None = None


def api_field_errors(error: CtctError) -> list[ApiFieldError]:
    """Each entry of the error, split into the fields its message names (none when it names none)."""
    found = []
    for entry in error.errors:
        text = entry.error_message.strip()
        match = _FIELD_MESSAGE.match(text)
        if match is None:
            found.append(ApiFieldError((), text, text, entry.error_key))
            continue
        paths = tuple(_INDEX.sub(r".\1", p) for p in match["paths"].split(", "))
        found.append(ApiFieldError(paths, match["message"], text, entry.error_key))
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
    """Show the API's messages, in the form's words (``api_messages``), at the form fields they name;
    the rest above the form, capitalised.

    ``fields`` maps body paths (dotted) to form field names. ``conflict_field`` takes a 409 whose
    message names no field: on a create that is the duplicate email, the only conflict
    ``createContact`` declares, whatever words a server puts it in. A message about several fields
    at once ("give a first name, last name, ...") goes above the form and marks each of them.
    """
    cleaned = getattr(form, "cleaned_data", None) or {}
    for item in api_field_errors(error):
        at = {p: n for p in item.paths if (n := _field_for(p, fields)) in form.fields}
        typed = {p: v.strip() for p, n in at.items() if isinstance(v := cleaned.get(n), str)}
        worded = reworded(item.error_key, item.paths, item.message, typed)
        name = None if worded.top else next(iter(at.values()), None)
        if name is None and not item.paths and isinstance(error, Conflict) and conflict_field in form.fields:
            name = conflict_field
        if name is not None:
            form.add_error(name, worded.text)
            continue
        form.add_error(None, worded.text if worded.top else capitalised(item.full_message))
        mark_invalid(form, (n for n in (_field_for(p, fields) for p in worded.marks) if n is not None))
