"""The choices every dashboard page offers about contacts: statuses, and the account's lists, tags,
segments and custom fields, read through the client.

Any domain app that offers them imports this module (the jobs pages do for imports and exports).
The account's own are kept for a minute per connection: the contacts list would otherwise spend
four of the application's four requests a second on every view. Pages that change lists, tags,
segments or custom fields call :func:`forget_choices` so their change shows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

from apps.ctct import Client
from ctctdash.pages import Choice

__all__ = [
    "CONTACT_STATUSES",
    "DRAFT_SEGMENT_PREFIX",
    "Choice",
    "by_name",
    "custom_fields",
    "forget_choices",
    "is_draft",
    "list_choices",
    "segment_choices",
    "tag_choices",
]

# Long enough to spare the rate limit while someone pages and filters, short enough that a list
# made elsewhere (another tab, an integration) appears without anyone having to do anything.
CHOICES_TTL = 60
# The segment pages' preview saves its criteria as a segment named so and deletes it at once.
DRAFT_SEGMENT_PREFIX = "__preview "
# GET /contacts ``status`` and a contact export's ``status`` (the spec's one enum), in words.
# Each form puts its own first option for no value, which both APIs read as "not deleted".
CONTACT_STATUSES = (
    ("active", "Active (explicit or implicit)"),
    ("unsubscribed", "Unsubscribed"),
    ("pending_confirmation", "Pending confirmation"),
    ("not_set", "Permission not set"),
    ("temp_hold", "Temporary hold"),
    ("deleted", "Deleted"),
    ("all", "All, deleted contacts included"),
)
# The API's own limits per page, so that each choice list is usually one request.
_CHOICE_PAGE = {"lists": 500, "tags": 500, "segments": 1000, "custom_fields": 100}


def is_draft(segment_name: str) -> bool:
    """A segment preview's draft, not a segment anybody saved."""
    return segment_name.startswith(DRAFT_SEGMENT_PREFIX)


def _cache_key(client: Client, what: str) -> str | None:
    """Per connection (the client's refresh-lock name); None for a client no connection owns."""
    scope = client.config.connection_key
    return f"contacts.choices:{scope}:{what}" if scope else None


def _cached(client: Client, what: str, load: Callable[[], Any]) -> Any:
    key = _cache_key(client, what)
    if key is None:
        return load()
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, CHOICES_TTL)
    return value


def forget_choices(client: Client) -> None:
    """Drop the connection's remembered lists, tags, segments and custom fields (after changing one)."""
    keys = [_cache_key(client, what) for what in _CHOICE_PAGE]
    cache.delete_many([key for key in keys if key])


def by_name(choices: list[Choice]) -> list[Choice]:
    """``choices`` sorted as pages offer them: by name, whatever its case."""
    return sorted(choices, key=lambda c: (c.name.casefold(), c.id))


def _choices(client: Client, what: str, id_key: str, items: Callable[[], Iterable[dict[str, Any]]]) -> list[Choice]:
    def load() -> list[Choice]:
        return by_name([Choice(str(item[id_key]), item.get("name", "")) for item in items()])

    result: list[Choice] = _cached(client, what, load)
    return result


def list_choices(client: Client) -> list[Choice]:
    """The account's contact lists, by name."""
    return _choices(client, "lists", "list_id", lambda: client.contact_lists.iter_lists(limit=_CHOICE_PAGE["lists"]))


def tag_choices(client: Client) -> list[Choice]:
    """The account's tags, by name."""
    return _choices(client, "tags", "tag_id", lambda: client.contact_tags.iter_tags(limit=_CHOICE_PAGE["tags"]))


def segment_choices(client: Client) -> list[Choice]:
    """The account's segments, by name, without the drafts a segment preview saves for a moment."""
    limit = _CHOICE_PAGE["segments"]
    segments = _choices(client, "segments", "segment_id", lambda: client.segments.iter_account_segments(limit=limit))
    return [s for s in segments if not is_draft(s.name)]


def custom_fields(client: Client) -> list[dict[str, Any]]:
    """The account's custom field definitions (label, type, choices), by label."""

    def load() -> list[dict[str, Any]]:
        fields = client.contacts_custom_fields.iter_custom_fields(limit=_CHOICE_PAGE["custom_fields"])
        return sorted(fields, key=lambda f: (str(f.get("label", "")).casefold(), f["custom_field_id"]))

    result: list[dict[str, Any]] = _cached(client, "custom_fields", load)
    return result
