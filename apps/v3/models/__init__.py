"""V3 service models, split by domain; import them from here."""

__all__: list[str] = []
