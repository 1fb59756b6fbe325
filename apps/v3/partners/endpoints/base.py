"""What every partner view shares: the partner of the token (the gate has checked its ``x-api-key``)."""

from __future__ import annotations

from apps.v3.account.models import Partner
from apps.v3.http.base import V3View


class PartnerView(V3View):
    """A view of a partner operation: ``self.partner`` scopes every query."""

    @property
    def partner(self) -> Partner:
        """The token's partner; the gate refused tokens without one."""
        partner = self.token.partner
        assert partner is not None
        return partner
