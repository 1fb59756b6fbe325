"""The project's Python client for the Constant Contact V3 API. It imports no Django.

from apps.ctct import Client, ClientConfig

client = Client(ClientConfig(client_id=..., client_secret=..., token=token, token_updater=save))
for contact in client.contacts.iter_contacts(include=["list_memberships"], limit=500):
    ...
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

__all__ = [
    "BadRequest",
    "Client",
    "ClientConfig",
    "Conflict",
    "CtctError",
    "ErrorDetail",
    "Forbidden",
    "NotFound",
    "QuotaExceeded",
    "RefreshLockTimeout",
    "ServerError",
    "Throttled",
    "TokenDict",
    "Unauthorized",
    "UnsupportedMediaType",
]
