"""The dashboard's page toolkit: what every domain app's pages share, importable by all of them.

A domain app (contacts, jobs, and the campaigns, events ... to come) imports from here rather than
from another domain's views, which an import contract keeps private to their URL confs:

- ``views``: a create or edit page that shows the API's refusals at the fields (``save_or_show``),
  a delete after confirming, the API's 404 as the page's (``found_or_404``), activity messages.
- ``forms``: forms whose errors are announced and focused, the API's messages at the fields they
  name (``add_api_errors``), each field in error marked, choices to offer.
- ``api_messages``: the service's messages in the forms' own words, one table every domain adds to.
- ``paging``: one pager for every listing, over the API's cursors with a stack of them for "Previous".
- ``dates``: the API's ISO date-times as datetimes for templates; ``date_tags`` (``{% load dates %}``)
  shows any of them in the one format every page uses, ``{{ value|when }}``.
- ``activity_states``: a bulk activity's state in words ("Running"), on the jobs pages and the home page.

Its templates are under ``templates/pages/``: ``_pager.html``, ``_row_actions.html``,
``_empty_state.html`` and ``listing.html``, the page a table of things extends with its columns.
"""

from __future__ import annotations

from .dates import with_dates
from .forms import (
    API_FORM_ERRORS,
    AccessibleForm,
    AlertErrorList,
    ApiFieldError,
    Choice,
    ManagementForm,
    add_api_errors,
    api_field_errors,
    offer,
)
from .paging import BACK_STACK, PAGE_SIZE, Listing, PageLinks, Position, StaleCursor, listing_page, page_links, query
from .views import (
    activity_message,
    delete_after_confirming,
    found_or_404,
    page_path,
    render_form,
    safe_next,
    save_or_show,
    submit,
)

__all__ = [
    "API_FORM_ERRORS",
    "BACK_STACK",
    "PAGE_SIZE",
    "AccessibleForm",
    "AlertErrorList",
    "ApiFieldError",
    "Choice",
    "Listing",
    "ManagementForm",
    "PageLinks",
    "Position",
    "StaleCursor",
    "activity_message",
    "add_api_errors",
    "api_field_errors",
    "delete_after_confirming",
    "found_or_404",
    "listing_page",
    "offer",
    "page_links",
    "page_path",
    "query",
    "render_form",
    "safe_next",
    "save_or_show",
    "submit",
    "with_dates",
]
