"""Where Django finds the service's models: each domain owns its own, and this module only loads them.

Code imports a model from its domain (``apps.v3.contacts.models``, ``apps.v3.bulk.models``, ...),
never from here, so a reader finds the model in the folder of the spec tag it serves.
"""

from apps.v3.account import models as account
from apps.v3.bulk import models as bulk
from apps.v3.campaigns import models as campaigns
from apps.v3.contacts import models as contacts
from apps.v3.events import models as events
from apps.v3.oauth import models as oauth
from apps.v3.partners import models as partners
from apps.v3.reporting import models as reporting
from apps.v3.sms import models as sms

__all__ = ["account", "bulk", "campaigns", "contacts", "events", "oauth", "partners", "reporting", "sms"]
