"""``manage.py bootstrap_demo [--json]``: the demo account, user, OAuth applications and partner."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.v3.account import provisioning


class Command(BaseCommand):
    help = "Create (idempotently) the demo account, owner user, OAuth applications and partner."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the set-up as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        # A demo password, not a secret: the demo runs on a developer's own machine.
        password = os.environ.get("CTCTDASH_DEMO_PASSWORD", "ctctdash-demo")
        setup = provisioning.bootstrap_demo(password)
        site = settings.SITE_URL
        info = {
            "dashboard_url": f"{site}/",
            "api_base_url": f"{site}/v3",
            "authorize_url": f"{site}/oauth2/default/v1/authorize",
            "token_url": f"{site}/oauth2/default/v1/token",
            "username": setup.username,
            "password": setup.password,
            "account_id": setup.account.encoded_account_id,
            "confidential_client": {
                "client_id": provisioning.DASHBOARD_CLIENT_ID,
                "client_secret": setup.dashboard_secret,
                "redirect_uri": provisioning.dashboard_redirect_uri(),
            },
            "public_client": {
                "client_id": provisioning.PUBLIC_CLIENT_ID,
                "redirect_uri": provisioning.dashboard_redirect_uri(),
            },
            "partner": {
                "client_id": provisioning.PARTNER_CLIENT_ID,
                "client_secret": setup.partner_secret,
                "api_key": setup.partner_api_key,
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps(info, indent=2))
            return
        self.stdout.write(
            f"Demo ready: sign in at {info['dashboard_url']} as {setup.username} / {setup.password} "
            f"(account {setup.account.encoded_account_id}). `manage.py bootstrap_demo --json` prints every credential."
        )
