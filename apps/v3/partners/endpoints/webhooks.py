"""Technology Partners Webhooks: subscriptions to the billing topics, and test sends."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.partners.endpoints.base import PartnerView
from apps.v3.partners.serializers.webhooks import subscription_data
from apps.v3.partners.services import webhooks as service


class SubscriptionsView(PartnerView):
    """``GET /partner/webhooks/subscriptions``."""

    operation_ids = {"get": "getWebhooksCollection"}

    def get(self, request: Request) -> Response:
        return Response([subscription_data(row) for row in service.subscriptions(self.partner)])


class SubscriptionView(PartnerView):
    """``GET``, ``PUT`` and ``DELETE /partner/webhooks/subscriptions/{topic_id}``."""

    operation_ids = {"get": "getWebhooksTopic", "put": "putWebhooksTopic", "delete": "deleteWebhooksSubscriptions"}

    def get(self, request: Request, topic_id: str) -> Response:
        return Response(subscription_data(service.subscription(self.partner, topic_id)))

    def put(self, request: Request, topic_id: str) -> Response:
        service.checks.topic_id(topic_id)  # a bad topic is named before a bad body
        row = service.subscribe(self.partner, topic_id, self.body() or {})
        return Response(subscription_data(row, described=False))

    def delete(self, request: Request, topic_id: str) -> Response:
        service.unsubscribe(self.partner, topic_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TestSendView(PartnerView):
    """``POST /partner/webhooks/subscriptions/{topic_id}/tests``."""

    operation_ids = {"post": "testSendWebhooksTopic"}

    def post(self, request: Request, topic_id: str) -> Response:
        row = service.test_send(self.partner, topic_id)
        return Response(subscription_data(row), status=status.HTTP_201_CREATED)
