"""SMS test fixtures (the memory backend's outbox, emptied for each test)."""

from tests.v3.sms.support import sms_outbox

__all__ = ["sms_outbox"]
