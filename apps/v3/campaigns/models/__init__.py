"""The campaigns domain's rows: campaigns and activities, sends, tracking, A/B tests and resends."""

from apps.v3.campaigns.models.campaigns import (
    ActivityRole,
    ActivityStatus,
    CampaignActivity,
    CampaignStatus,
    EmailCampaign,
)
from apps.v3.campaigns.models.options import ABTest, NonOpenerResend, TestSendLog
from apps.v3.campaigns.models.sending import Send, SendRun, SendRunState, SendStatus
from apps.v3.campaigns.models.tracking import EventKind, TrackedUrl, TrackingEvent, Undeliverable

__all__ = [
    "ABTest",
    "ActivityRole",
    "ActivityStatus",
    "CampaignActivity",
    "CampaignStatus",
    "EmailCampaign",
    "EventKind",
    "NonOpenerResend",
    "Send",
    "SendRun",
    "SendRunState",
    "SendStatus",
    "TestSendLog",
    "TrackedUrl",
    "TrackingEvent",
    "Undeliverable",
]
