"""What contacts did on the service's landing pages: each event's registration page and confirmation page.

docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities says which page is which
activity and what counts as an open, a click, an add, an update and an SMS opt-in.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact


class PageEventKind(models.TextChoices):
    """The kinds of landing-page tracking rows, as the reports name them (``p_contact_opens`` ...)."""

    OPEN = "open"
    CLICK = "click"
    ADD = "add"
    UPDATE = "update"
    SMS_OPTIN = "sms_optin"


class PageLink(models.Model):
    """A link a landing page shows, tracked through a redirect; its primary key is the report's ``url_id``."""

    campaign_activity_id = models.UUIDField()
    url = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign_activity_id", "url"], name="v3_pagelink_act_url")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.url}"


class PageRow(models.Model):
    """What every landing-page row names: the page (``campaign_activity_id``), the contact and what they did.

    ``url_id`` and ``link_url`` name the link of a click (``url_id`` 0 otherwise, so the unique
    rollup's constraint holds with no NULL in it); ``device_type`` is read from the User-Agent of
    opens and clicks.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign_activity_id = models.UUIDField()
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=PageEventKind.choices)
    url_id = models.PositiveIntegerField(default=0)
    link_url = models.TextField(blank=True)
    device_type = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class PageEvent(PageRow):
    """One thing a known contact did on a landing page."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The non-unique report pages by this, newest first (keyset on created_at, id).
            models.Index(fields=["campaign_activity_id", "kind", "-created_at", "-id"], name="v3_pevent_act_kind_time"),
            # A contact's activity details, newest first.
            models.Index(fields=["account", "contact", "-created_at", "-id"], name="v3_pevent_contact_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.campaign_activity_id} by {self.contact_id}"


class PageContactRollup(PageRow):
    """The newest row of each contact per page and kind (and link, for clicks): what the unique reports page over.

    Upserted in the same transaction as the :class:`PageEvent` it summarises, so a unique report
    reads one row per contact instead of collapsing every event of the page at request time.
    """

    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_activity_id", "kind", "contact", "url_id"], name="v3_prollup_once_per_contact"
            )
        ]
        indexes = [
            models.Index(fields=["campaign_activity_id", "kind", "-last_at", "-id"], name="v3_prollup_act_kind_time")
        ]

    def __str__(self) -> str:
        return f"unique {self.kind} of {self.campaign_activity_id} by {self.contact_id}"
