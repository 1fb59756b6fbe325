"""``{% section_nav %}``: the Contacts section's own navigation, on every page of the section.

The section spans two apps (contacts, and jobs for imports, exports and their activities); a page
belongs to the entry whose URL names start with one of its prefixes, else to its app's default entry.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import template
from django.urls import reverse

from apps.accounts.services import can_write

register = template.Library()


class Entry(NamedTuple):
    """One link of the section's navigation and the pages (app, URL-name prefixes) it stands for."""

    label: str
    url_name: str
    app_name: str
    prefixes: tuple[str, ...]  # empty: the app's default entry


CONTACTS_SECTION = (
    Entry("Contacts", "contacts:list", "contacts", ()),
    Entry("Lists", "contacts:lists", "contacts", ("lists", "list_")),
    Entry("Tags", "contacts:tags", "contacts", ("tags", "tag_")),
    Entry("Custom fields", "contacts:custom_fields", "contacts", ("custom_field",)),
    Entry("Segments", "contacts:segments", "contacts", ("segment",)),
    # Import and Export start work on the account: offered to writers only (``WRITERS_ONLY``).
    Entry("Import", "jobs:import", "jobs", ("import",)),
    Entry("Export", "jobs:export", "jobs", ("export",)),
    Entry("Activities", "jobs:list", "jobs", ()),
)
WRITERS_ONLY = frozenset({"jobs:import", "jobs:export"})
SECTION_APPS = frozenset(entry.app_name for entry in CONTACTS_SECTION)


def current_entry(app_name: str, url_name: str) -> Entry | None:
    """The entry a page (its URL's app and name) belongs to; None outside the section."""
    if app_name not in SECTION_APPS:
        return None
    mine = [entry for entry in CONTACTS_SECTION if entry.app_name == app_name]
    prefixed = [entry for entry in mine if any(url_name.startswith(prefix) for prefix in entry.prefixes)]
    return (prefixed or [entry for entry in mine if not entry.prefixes])[0]


@register.inclusion_tag("contacts/_section_nav.html", takes_context=True)
def section_nav(context: template.Context) -> dict[str, Any]:
    """The section's links with the current one marked; nothing outside the section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = current_entry(match.app_name, match.url_name or "") if match is not None else None
    if current is None or request is None:
        return {"links": []}
    writer = can_write(request)
    return {
        "links": [
            (entry.label, reverse(entry.url_name), entry == current)
            for entry in CONTACTS_SECTION
            if writer or entry.url_name not in WRITERS_ONLY
        ]
    }
