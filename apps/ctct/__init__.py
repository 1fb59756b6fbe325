"""The project's Python client for the Constant Contact V3 API. It imports no Django.

from apps.ctct import Client, ClientConfig

client = Client(ClientConfig(client_id=..., client_secret=..., token=token, token_updater=save))
for contact in client.contacts.iter_contacts(include=["list_memberships"], limit=500):
    ...
page = client.page("getContacts", limit=50)          # one page at a time: items, next_cursor, total
later = client.page("getContacts", page.next_cursor)
csv = client.follow(export["_links"]["results"]["href"], stream=True)  # links the API gave, on its base URL only

Code outside this package imports only the names below (an import contract says so).
"""

from __future__ import annotations

from .client import Client
from .config import ClientConfig, TokenDict
from .errors import (
    BadRequest,
    Conflict,
    CtctError,
    ErrorDetail,
    Forbidden,
    NotFound,
    QuotaExceeded,
    ServerError,
    Throttled,
    Unauthorized,
    UnsupportedMediaType,
)
from .locks import RefreshLockTimeout
from .paging import Page

__all__ = [
    "BadRequest",
    "Client",
    "ClientConfig",
    "Conflict",
    "CtctError",
    "ErrorDetail",
    "Forbidden",
    "NotFound",
    "Page",
    "QuotaExceeded",
    "RefreshLockTimeout",
    "ServerError",
    "Throttled",
    "TokenDict",
    "Unauthorized",
    "UnsupportedMediaType",
]
