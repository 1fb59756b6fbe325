"""V3 service models, split by domain; import them from here."""

from .accounts import (
    PRIVILEGE_IDS,
    ROLE_PRIVILEGES,
    Account,
    AccountEmail,
    AccountMembership,
    Partner,
    PhysicalAddress,
    Role,
)
from .oauth import CodeExchange

__all__ = [
    "PRIVILEGE_IDS",
    "ROLE_PRIVILEGES",
    "Account",
    "AccountEmail",
    "AccountMembership",
    "CodeExchange",
    "Partner",
    "PhysicalAddress",
    "Role",
]
