"""Merge fields: the ``[[NAME OR "fallback"]]`` tags a copy's subject, HTML and text may carry.

The syntax and the names are docs/decisions/campaigns.md#merge-fields. A template is compiled
once per activity into a ``str.format_map`` pattern; each recipient then costs one formatting
call per part, with the values of the fields the template uses.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from apps.v3.contacts.models import Contact

# A tag: [[NAME]] or [[NAME OR "fallback"]]. Inside an HTML attribute the quotes arrive escaped
# (css-inline serializes attributes with &quot;), so both spellings are accepted.
TAG = r'\[\[\s*(?P<name>[A-Za-z][\w.:-]*)(?:\s+OR\s+(?:"(?P<fb>[^"\]]*)"|&quot;(?P<fbq>.*?)&quot;))?\s*\]\]'
TRACKING_IMAGE = "trackingimage"
CUSTOM_PREFIX = "custom."


def _full_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip()


# The contact's own fields, by tag name (upper case in the docs; matched case-insensitively).
CONTACT_FIELDS: dict[str, Callable[[Contact], str]] = {
    "firstname": lambda c: c.first_name,
    "lastname": lambda c: c.last_name,
    "fullname": _full_name,
    "emailaddress": lambda c: c.email_address,
    "email": lambda c: c.email_address,
    "jobtitle": lambda c: c.job_title,
    "companyname": lambda c: c.company_name,
    "company": lambda c: c.company_name,
}


@dataclass(frozen=True)
class Slot:
    """One merge tag use: the field (a contact field's name, or ``custom.<name>``) and its fallback."""

    name: str
    fallback: str
    escape: bool  # HTML parts escape the value; the subject and the text part do not
    in_url: bool = False  # inside a link's address: percent-encoded first (a "&" would cut a query)


@dataclass
class Compiler:
    """Turns parts into format patterns, numbering the distinct slots all of them use."""

    slots: dict[Slot, str] = field(default_factory=dict)

    def slot(self, name: str, fallback: str, escape: bool, in_url: bool = False) -> str:
        key = Slot(name, fallback, escape, in_url)
        if key not in self.slots:
            self.slots[key] = f"f{len(self.slots)}"
        return "{" + self.slots[key] + "}"

    def tag(
        self, match: re.Match[str], *, escape: bool, custom_names: Iterable[str], in_url: bool = False
    ) -> str | None:
        """The pattern for a merge tag, or None when the name is no field (the tag then stays as written)."""
        name = match.group("name").lower()
        fallback = match.group("fb")
        if fallback is None:
            fallback = match.group("fbq") or ""
        if escape:  # HTML parts hold the fallback as markup (an & arrives as &amp;): keep it as text
            fallback = html.unescape(fallback)
        if name in CONTACT_FIELDS or (name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX) :] in custom_names):
            return self.slot(name, fallback, escape, in_url)
        if name.startswith(CUSTOM_PREFIX):
            # A custom field the account does not have: always the fallback.
            return literal(render_value(fallback, escape=escape, in_url=in_url))
        return None

    def values(self, contact: Contact, custom: dict[str, str]) -> dict[str, str]:
        """Each slot's value for one contact; ``custom`` holds its custom field values by lower-cased name."""
        out: dict[str, str] = {}
        for slot, key in self.slots.items():
            if slot.name.startswith(CUSTOM_PREFIX):
                value = custom.get(slot.name[len(CUSTOM_PREFIX) :], "")
            else:
                value = CONTACT_FIELDS[slot.name](contact) or ""
            out[key] = render_value(value or slot.fallback, escape=slot.escape, in_url=slot.in_url)
        return out


def render_value(value: str, *, escape: bool, in_url: bool) -> str:
    """A field's value as it goes into its part: percent-encoded in a link, then HTML-escaped in HTML."""
    if in_url:
        value = quote(value, safe="@")
    return html.escape(value) if escape else value


def literal(text: str) -> str:
    """``text`` as a piece of a format pattern (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def custom_names_used(*parts: str) -> set[str]:
    """Lower-cased names of the custom fields the parts' tags name."""
    names: set[str] = set()
    for part in parts:
        for match in re.finditer(TAG, part, re.IGNORECASE):
            name = match.group("name").lower()
            if name.startswith(CUSTOM_PREFIX):
                names.add(name[len(CUSTOM_PREFIX) :])
    return names
