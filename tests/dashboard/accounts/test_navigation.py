"""The Contacts section's navigation: which entry a page of the section belongs to."""

from __future__ import annotations

import pytest

from apps.accounts.templatetags.navigation import current_entry


@pytest.mark.parametrize(
    ("app_name", "url_name", "label"),
    [
        ("contacts", "list", "Contacts"),
        ("contacts", "detail", "Contacts"),
        ("contacts", "note_add", "Contacts"),
        ("contacts", "lists", "Lists"),
        ("contacts", "list_detail", "Lists"),
        ("contacts", "tag_edit", "Tags"),
        ("contacts", "custom_field_create", "Custom fields"),
        ("contacts", "segment_preview", "Segments"),
        ("jobs", "list", "Activities"),
        ("jobs", "import", "Import"),
        ("jobs", "import-map", "Import"),
        ("jobs", "import-start", "Import"),
        ("jobs", "export", "Export"),
        ("jobs", "detail", "Activities"),
        ("jobs", "activity", "Activities"),
    ],
)
def test_each_page_of_the_section_belongs_to_one_entry(app_name: str, url_name: str, label: str) -> None:
    entry = current_entry(app_name, url_name)
    assert entry is not None and entry.label == label


def test_pages_outside_the_section_have_none() -> None:
    assert current_entry("accounts", "workspace-list") is None
    assert current_entry("", "home") is None
