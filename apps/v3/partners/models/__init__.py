"""The partners domain's rows: provisioned client accounts, SSO identities, webhook subscriptions and deliveries."""

from apps.v3.partners.models.clients import ClientAccount, SSOIdentity
from apps.v3.partners.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = ["ClientAccount", "SSOIdentity", "WebhookAttempt", "WebhookDelivery", "WebhookSubscription"]
