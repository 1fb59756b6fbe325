"""The client facade: a configuration, one request core, and a resource group per spec tag."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType
from typing import Any, Literal, overload

import requests

from .config import ClientConfig, TokenDict
from .core import Core
from .paging import Page, fetch_page, iter_items, iter_pages, resolve_next
from .resources import ResourceGroups


class Client(ResourceGroups):
    """A V3 API client for one connection: ``Client(ClientConfig(...)).contacts.get_contacts(limit=50)``."""

    def __init__(self, config: ClientConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or ClientConfig(), **overrides)
        self.core = Core(self.config)
        self._init_groups(self.core)

    @property
    def token(self) -> TokenDict:
        """The token in use now (after any refresh)."""
        return dict(self.core.session.token)

    def call(self, operation_id: str, **arguments: Any) -> Any:
        """Call any operation by its spec id: ``client.call("getContact", contact_id=...)``."""
        return self.core.call(operation_id, arguments)

    def paginate(self, operation_id: str, items_key: str | None = None, **params: Any) -> Iterator[Any]:
        """Every item of a paged listing: ``client.paginate("getContacts", items_key="contacts", limit=500)``."""
        return iter_items(self.core, operation_id, params, items_key)

    def pages(self, operation_id: str, **params: Any) -> Iterator[Any]:
        """Every page (whole response bodies) of a paged listing."""
        return iter_pages(self.core, operation_id, params)

    def page(self, operation_id: str, cursor: str | None = None, **params: Any) -> Page:
        """One page of a paged listing: the first for ``params``, or the one a page's ``next_cursor`` names.

        ``client.page("getContacts", limit=50)``, then ``client.page("getContacts", page.next_cursor)``.
        A cursor carries the query (the API repeats the filters in it), so with one ``params`` only
        fill the path; it is always sent to the operation's own path, whoever handed it back.
        """
        return fetch_page(self.core, operation_id, params, cursor)

    @overload
    def follow(self, href: str, stream: Literal[False] = False) -> Any: ...

    @overload
    def follow(self, href: str, stream: Literal[True]) -> requests.Response: ...

    def follow(self, href: str, stream: bool = False) -> Any:
        """GET a link the API gave (a ``_links`` href): the decoded body, or with ``stream`` the open response.

        ``ValueError`` for a link that leaves the base URL (another origin or path): the bearer
        token goes only to this API. A streamed response must be closed by whoever reads it.
        """
        url = resolve_next(self.core.base_url, href)
        if stream:
            return self.core.send("GET", url, stream=True)
        return self.core.get_url(url)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.core.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
