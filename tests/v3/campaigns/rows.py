"""Campaign rows for the rendering, tracking and bounce tests, made directly (no API round trip)."""

from __future__ import annotations

from typing import Any

from apps.v3.account.models import Account
from apps.v3.campaigns.models import ActivityRole, CampaignActivity, EmailCampaign
from apps.v3.contacts.models import Contact

ADDRESS = {
    "organization_name": "Dog Lovers Inc",
    "address_line1": "123 Maple Street",
    "city": "Waltham",
    "state_code": "MA",
    "postal_code": "02451",
    "country_code": "US",
}


def make_activity(account: Account, name: str = "Spring news", **fields: Any) -> CampaignActivity:
    """A campaign with its primary email (``fields`` its content) and its permalink activity."""
    campaign = EmailCampaign.objects.create(account=account, name=name)
    content: dict[str, Any] = {
        "from_name": "Dog Lovers",
        "from_email": "sender@example.com",
        "reply_to_email": "sender@example.com",
        "subject": 'Hello [[FIRSTNAME OR "friend"]]',
        "html_content": "<html><body>[[trackingImage]]<p>Hi</p></body></html>",
        "physical_address_in_footer": ADDRESS,
        **fields,
    }
    primary = CampaignActivity.objects.create(campaign=campaign, role=ActivityRole.PRIMARY_EMAIL, **content)
    CampaignActivity.objects.create(campaign=campaign, role=ActivityRole.PERMALINK, **content)
    return primary


def make_contacts(account: Account, count: int, **fields: Any) -> list[Contact]:
    """``count`` contacts of ``account``, numbered in their addresses."""
    rows = [
        Contact(account=account, email_address=f"person{i}@example.org", first_name=f"Person{i}", **fields)
        for i in range(count)
    ]
    Contact.objects.bulk_create(rows)
    return list(Contact.objects.filter(account=account).order_by("pk"))
