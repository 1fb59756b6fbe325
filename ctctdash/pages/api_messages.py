"""The service's error messages in the dashboard's own words: one table for every domain's forms.

The V3 service words its refusals for developers: ``body: give at least one of first_name, ...``,
``name: a contact list named 'VIP' already exists``. A form shows the person the same refusal as
they would say it, at the field they typed it in. Each :class:`Rewording` below matches one
message of the service (by its ``error_key``, the body paths it names and its text) and gives the
form's words for it; a message no entry matches is shown as the service wrote it, capitalised.

A domain that meets a new message adds its entry here, so every form words it the same way.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["REWORDINGS", "Rewording", "Worded", "capitalised", "reworded"]

VALIDATION = "api.validation.error"
CONFLICT = "api.conflict"


@dataclass(frozen=True)
class Worded:
    """A message as the form shows it: its text, whether it goes above the form, and the body paths
    whose fields it marks in error besides the one it is shown at."""

    text: str
    top: bool = False
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rewording:
    """One service message and the form's words for it.

    ``words`` is a format string: ``{value}`` is what the person typed at the field the message
    names (else the value the message quotes). ``top`` shows it above the form, marking the fields
    of ``marks`` (body paths) in error: a message about several fields at once belongs to none.
    """

    key: str | None  # the entry's error_key; None: any
    paths: tuple[str, ...] | None  # the body paths the message names, exactly; None: any
    pattern: str  # matched against the whole message without its paths
    words: str
    top: bool = False
    marks: tuple[str, ...] = ()

    def matches(self, key: str | None, paths: tuple[str, ...], message: str) -> re.Match[str] | None:
        """The pattern's match when the entry is about this message, else None."""
        if self.key is not None and key != self.key:
            return None
        if self.paths is not None and paths != self.paths:
            return None
        return re.fullmatch(self.pattern, message, re.DOTALL)


# The service's own messages (apps/v3/contacts/services/, apps/v3/common/named.py), each in the
# form's words. The duplicate names come with a 409, or with a 400 keyed api.conflict where the
# spec declares no 409 (renaming a list); the custom field label taken on an edit is a plain 400.
REWORDINGS: tuple[Rewording, ...] = (
    Rewording(
        VALIDATION,
        ("body",),
        r"give at least one of first_name, last_name, email_address, sms_channel",
        "Give a first name, last name, email address or SMS number.",
        top=True,
        marks=("first_name", "last_name", "email_address", "sms_channel"),
    ),
    Rewording(
        CONFLICT,
        ("name",),
        r"a contact list named (?P<value>.+) already exists",
        "A list named “{value}” already exists.",
    ),
    Rewording(
        CONFLICT, ("name",), r"a tag named (?P<value>.+) already exists", "A tag named “{value}” already exists."
    ),
    Rewording(
        CONFLICT,
        ("name",),
        r"a segment named (?P<value>.+) already exists",
        "A segment named “{value}” already exists.",
    ),
    Rewording(
        CONFLICT,
        ("label",),
        r"a custom field named (?P<value>.+) already exists",
        "A custom field named “{value}” already exists.",
    ),
    Rewording(
        VALIDATION,
        ("label",),
        r"another custom field is named (?P<value>.+)",
        "A custom field named “{value}” already exists.",
    ),
    Rewording(
        CONFLICT,
        ("email_address",),
        r"(?P<value>\S+) is already a contact \(id [^)]*\)",
        "A contact with the email address {value} already exists.",
    ),
    Rewording(
        CONFLICT,
        ("email_address",),
        r"(?P<value>\S+) belongs to another contact in this account",
        "Another contact has the email address {value}.",
    ),
    Rewording(None, None, r"is required|must not be blank", "This field is required."),
)

# A message whose first word is a plain lowercase word ("give", "at most"), not a value it quotes
# ("'12' is not ...") or an address ("dee@example.com is ...") that must keep its case.
_LOWER_FIRST_WORD = re.compile(r"[a-z]+(?=[\s,;:.]|$)")


def capitalised(text: str) -> str:
    """``text`` starting with a capital when it starts with a plain word."""
    return text[0].upper() + text[1:] if _LOWER_FIRST_WORD.match(text) else text


def _unquoted(value: str) -> str:
    """A value the service quoted as Python does (``'VIP'``, ``"O'Neil"``), without the quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            unquoted = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value[1:-1]
        return unquoted if isinstance(unquoted, str) else value
    return value


def reworded(key: str | None, paths: tuple[str, ...], message: str, typed: Mapping[str, str] | None = None) -> Worded:
    """The form's words for one service message (``message`` without its paths).

    ``typed`` maps a body path to the text the person gave for it, so a duplicate is named as they
    typed it. A message no entry matches comes back as it is, capitalised.
    """
    for entry in REWORDINGS:
        match = entry.matches(key, paths, message)
        if match is None:
            continue
        quoted = match.groupdict().get("value")
        given = next((typed[p] for p in paths if typed and typed.get(p)), None)
        value = given or (_unquoted(quoted) if quoted else "")
        return Worded(entry.words.format(value=value), entry.top, entry.marks)
    return Worded(capitalised(message))
