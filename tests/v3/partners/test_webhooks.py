"""Webhook subscriptions, test sends, and deliveries to a real HTTP receiver: signed, retried, recorded."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.v3.partners.engine import deliveries
from apps.v3.partners.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.v3.partners.support import make_partner, receiving
from tests.v3.support import error

pytestmark = pytest.mark.django_db


def test_subscriptions_are_upserted_listed_read_and_deleted() -> None:
    partner = make_partner()
    assert partner.get("/partner/webhooks/subscriptions").json() == []
    put = partner.put("/partner/webhooks/subscriptions/2", {"hook_uri": "https://example.com/a"})
    assert put.json() == {"topic_id": 2, "hook_uri": "https://example.com/a"}
    partner.put("/partner/webhooks/subscriptions/2", {"hook_uri": "https://example.com/b"})
    partner.put("/partner/webhooks/subscriptions/1", {"hook_uri": "http://example.com/c"})
    listed = partner.get("/partner/webhooks/subscriptions").json()
    assert [(s["topic_id"], s["hook_uri"]) for s in listed] == [
        (1, "http://example.com/c"),
        (2, "https://example.com/b"),
    ]
    assert listed[1]["topic_name"] == "Billing Tier Downgrade"
    assert partner.get("/partner/webhooks/subscriptions/2").json()["hook_uri"] == "https://example.com/b"
    assert partner.delete("/partner/webhooks/subscriptions/2").status_code == 204
    assert partner.get("/partner/webhooks/subscriptions/2").status_code == 404
    assert partner.delete("/partner/webhooks/subscriptions/2").status_code == 404


@pytest.mark.parametrize(
    ("topic", "body", "word"),
    [
        ("5", {"hook_uri": "https://example.com"}, "topic_id"),
        ("x", {"hook_uri": "https://example.com"}, "topic_id"),
        ("1", {"hook_uri": "ftp://example.com/hook"}, "hook_uri"),
        ("1", {"hook_uri": "not a uri"}, "hook_uri"),
        ("1", {}, "hook_uri"),
    ],
)
def test_bad_topics_and_hook_uris_are_400s(topic: str, body: dict[str, str], word: str) -> None:
    partner = make_partner()
    error(partner.put(f"/partner/webhooks/subscriptions/{topic}", body), 400, word)
    assert not WebhookSubscription.objects.exists()


def test_partners_see_only_their_own_subscriptions() -> None:
    mine, theirs = make_partner(), make_partner()
    theirs.put("/partner/webhooks/subscriptions/3", {"hook_uri": "https://example.com/theirs"})
    assert mine.get("/partner/webhooks/subscriptions").json() == []
    assert mine.get("/partner/webhooks/subscriptions/3").status_code == 404
    assert mine.delete("/partner/webhooks/subscriptions/3").status_code == 404
    assert mine.post("/partner/webhooks/subscriptions/3/tests").status_code == 404
    assert WebhookSubscription.objects.filter(partner=theirs.partner).count() == 1


def test_a_test_send_posts_signed_sample_data_at_once() -> None:
    partner = make_partner()
    with receiving() as receiver:
        partner.put("/partner/webhooks/subscriptions/1", {"hook_uri": receiver.url})
        response = partner.post("/partner/webhooks/subscriptions/1/tests")
        assert response.status_code == 201
        assert response.json()["topic_id"] == 1 and response.json()["hook_uri"] == receiver.url
    [hit] = receiver.accepted
    assert receiver.payloads()[0]["event_type"] == "tier.increase"
    assert set(receiver.payloads()[0]) == {"url", "api_key", "event_type"}
    # The receiver verifies the signature with the hex SHA-256 of its x-api-key (docs/decisions/partners.md).
    key = hashlib.sha256(partner.api_key.encode()).hexdigest().encode()
    expected = "sha256=" + hmac.new(key, hit["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(hit["headers"][deliveries.SIGNATURE_HEADER], expected)


def test_a_receiver_failing_twice_gets_one_accepted_delivery_after_retries_a_minute_apart() -> None:
    partner = make_partner()
    t0 = timezone.now()
    with receiving([500, 503]) as receiver:
        WebhookSubscription.objects.create(partner=partner.partner, topic_id=3, hook_uri=receiver.url)
        [pk] = deliveries.queue(partner.partner, None, 3, t0)
        assert deliveries.attempt(pk, t0) == "pending"
        assert deliveries.deliver_due(t0 + timedelta(seconds=30)) == {}  # not due before a minute
        assert deliveries.deliver_due(t0 + timedelta(minutes=1)) == {pk: "pending"}
        assert deliveries.deliver_due(t0 + timedelta(minutes=2)) == {pk: "delivered"}
        assert deliveries.deliver_due(t0 + timedelta(minutes=3)) == {}
        assert deliveries.attempt(pk, t0 + timedelta(minutes=4)) == "delivered"  # a duplicate task: no POST
    assert [r["status"] for r in receiver.received] == [500, 503, 200]
    assert len(receiver.accepted) == 1
    assert list(WebhookAttempt.objects.filter(delivery_id=pk).values_list("status_code", flat=True)) == [500, 503, 200]


def test_a_hook_that_never_answers_is_tried_every_minute_for_an_hour_then_given_up() -> None:
    partner = make_partner()
    with receiving() as receiver:
        closed = receiver.url  # the port is closed once the block ends: connections are refused
    t0 = timezone.now()
    WebhookSubscription.objects.create(partner=partner.partner, topic_id=4, hook_uri=closed)
    [pk] = deliveries.queue(partner.partner, None, 4, t0)
    states = [deliveries.attempt(pk, t0 + timedelta(minutes=m)) for m in range(0, 62)]
    assert states[:60] == ["pending"] * 60 and states[60] == "failed" and states[61] == "failed"
    attempts = WebhookAttempt.objects.filter(delivery_id=pk)
    assert attempts.count() == 61 and all(a.status_code is None and a.error for a in attempts)
    assert WebhookDelivery.objects.get(pk=pk).state == "failed"


def test_no_subscription_no_delivery() -> None:
    partner = make_partner()
    assert deliveries.queue(partner.partner, None, 1, timezone.now()) == []
