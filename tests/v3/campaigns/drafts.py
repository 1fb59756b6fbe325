"""Draft campaigns for tests: a confirmed sender, a create body, a campaign made through the API."""

from __future__ import annotations

from typing import Any

from apps.v3.account.models import Account, AccountEmail
from tests.v3.conftest import V3Api

SENDER = "sender@example.com"
HTML = "<html><body>[[trackingImage]]<p>Hello [[FIRSTNAME]]</p><a href='https://example.com/a'>A</a></body></html>"


def confirmed_sender(account: Account, address: str = SENDER) -> str:
    """A confirmed account email, usable as from_email and reply_to_email."""
    AccountEmail.objects.get_or_create(
        account=account, email_address=address, defaults={"confirm_status": AccountEmail.ConfirmStatus.CONFIRMED}
    )
    return address


def activity_body(**changes: Any) -> dict[str, Any]:
    """An ``EmailCampaignActivityInput`` every rule accepts (once :func:`confirmed_sender` ran)."""
    return {
        "format_type": 5,
        "from_name": "Sender",
        "from_email": SENDER,
        "reply_to_email": SENDER,
        "subject": "Hello",
        "html_content": HTML,
        **changes,
    }


def campaign_body(name: str = "Spring news", **changes: Any) -> dict[str, Any]:
    """An ``EmailCampaignComplete`` for one activity."""
    return {"name": name, "email_campaign_activities": [activity_body(**changes)]}


def create_campaign(api: V3Api, name: str = "Spring news", **changes: Any) -> dict[str, Any]:
    """A new campaign through ``POST /emails``; the response body, with ``primary``/``permalink`` ids added."""
    confirmed_sender(api.account)
    response = api.post("/emails", campaign_body(name, **changes))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    roles = {ref["role"]: ref["campaign_activity_id"] for ref in body["campaign_activities"]}
    return {**body, "primary": roles["primary_email"], "permalink": roles["permalink"]}
