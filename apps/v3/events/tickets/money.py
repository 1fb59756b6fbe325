"""Amounts in an event's currency, as the order summary and the public pages show them."""

from __future__ import annotations

from decimal import Decimal

# The currencies an event may take whose sign is unambiguous; the others are written with their code.
_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_NO_CENTS = frozenset({"JPY", "HUF", "TWD"})


def money(amount: Decimal, currency: str) -> str:
    """``$25.00``, ``-€5.00``, ``CAD 12.50``, ``¥1200``."""
    places = Decimal("1") if currency in _NO_CENTS else Decimal("0.01")
    number = f"{abs(amount).quantize(places):,}"
    sign = "-" if amount < 0 else ""
    if currency in _SIGNS:
        return f"{sign}{_SIGNS[currency]}{number}"
    return f"{sign}{currency} {number}"
