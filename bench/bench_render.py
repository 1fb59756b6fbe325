#!/usr/bin/env python
"""Campaign copies benchmark: copies rendered per second, and the open pixel beside a bare view.

Renders a realistic custom-code email (style sheet, merge fields with fallbacks, two custom
fields, a dozen links) for ``--contacts`` contacts with one ``Renderer`` (prepared once, as the
send engine does per run), then times ``--requests`` loads of the open pixel through Django's
whole stack against a bare view behind the same middleware. Honours DATABASE_URL but works in a
throwaway database made next to it (Django's test-database machinery).

    .venv/bin/python bench/bench_render.py [--contacts 1000] [--repeat 3] [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.urls import path  # noqa: E402

from apps.v3.account.models import Account  # noqa: E402
from apps.v3.campaigns.models import ActivityRole, CampaignActivity, EmailCampaign  # noqa: E402
from apps.v3.campaigns.rendering.copy import Renderer  # noqa: E402
from apps.v3.contacts.models import Contact, CustomField, CustomFieldValue  # noqa: E402

LINKS = "".join(
    f'<li><a href="https://example.com/article/{i}?utm_source=news">Article {i}</a></li>' for i in range(12)
)
HTML = f"""<html><head><style>
body {{ font-family: Arial, sans-serif; }} .lead {{ font-size: 18px; color: #333 }} a {{ color: #0066cc }}
@media (max-width: 600px) {{ .lead {{ font-size: 16px }} }}
</style></head><body>[[trackingImage]]
<p class="lead">Hello [[FIRSTNAME OR "there"]] [[LASTNAME]],</p>
<p>As a [[JOBTITLE OR "reader"]] at [[COMPANYNAME OR "your company"]] you may like these.</p>
<p>Your plan: [[CUSTOM.plan OR "basic"]]; renewal [[CUSTOM.renewal OR "soon"]].</p>
<ul>{LINKS}</ul></body></html>"""


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"GIF89a", content_type="image/gif")


urlpatterns = [path("bare", bare)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        account = Account.objects.create(organization_name="Bench")
        campaign = EmailCampaign.objects.create(account=account, name="Bench")
        activity = CampaignActivity.objects.create(
            campaign=campaign, role=ActivityRole.PRIMARY_EMAIL, subject='Hi [[FIRSTNAME OR "you"]]', html_content=HTML
        )
        plan = CustomField.objects.create(account=account, label="Plan", name="plan", type="string")
        CustomField.objects.create(account=account, label="Renewal", name="renewal", type="date")
        Contact.objects.bulk_create(
            Contact(account=account, email_address=f"p{i}@example.com", first_name=f"F{i}", job_title="Engineer")
            for i in range(args.contacts)
        )
        contacts = list(Contact.objects.filter(account=account).order_by("pk"))
        CustomFieldValue.objects.bulk_create(
            CustomFieldValue(contact=c, custom_field=plan, value="pro") for c in contacts
        )

        started = time.perf_counter()
        renderer = Renderer(activity)
        prepared = time.perf_counter() - started
        rates = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            copies = renderer.copies(contacts)
            rates.append(len(copies) / (time.perf_counter() - started))
        print(f"prepare: {prepared * 1000:.1f} ms (first: URL conf and css-inline loaded)")
        print(f"copies: {statistics.median(rates):,.0f}/s for {args.contacts:,} contacts (median of {args.repeat})")

        pixel = re.search(r'/m/o/[^"]+', copies[0].html)
        assert pixel is not None
        ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        client = Client(HTTP_USER_AGENT=ua)
        with override_settings(ROOT_URLCONF="ctctdash.urls"):
            client.get(pixel.group())  # the User-Agent parser's tables load on first use
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(pixel.group())
            pixel_rate = args.requests / (time.perf_counter() - started)
        with override_settings(ROOT_URLCONF=__name__):
            client.get("/bare")
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get("/bare")
            bare_rate = args.requests / (time.perf_counter() - started)
        print(f"open pixel: {pixel_rate:,.0f} req/s; bare view: {bare_rate:,.0f} req/s ({pixel_rate / bare_rate:.0%})")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
