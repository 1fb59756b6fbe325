"""The ``EmailCampaignActivityPreview`` shape."""

from __future__ import annotations

from typing import Any

from apps.v3.campaigns.models import CampaignActivity
from apps.v3.campaigns.rendering.copy import Copy


def preview_data(activity: CampaignActivity, copy: Copy) -> dict[str, Any]:
    """An activity's preview: its headers as the copy has them, and the copy's HTML and text."""
    return {
        "campaign_activity_id": str(activity.campaign_activity_id),
        "from_email": activity.from_email,
        "from_name": activity.from_name,
        "reply_to_email": activity.reply_to_email,
        "subject": copy.subject,
        "preheader": activity.preheader,
        "preview_html_content": copy.html,
        "preview_text_content": copy.text,
    }
