"""Who the dashboard says is signed in: never the generated username."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.identity import display_name

from .factories import DashboardUserFactory

pytestmark = pytest.mark.django_db


def test_the_login_from_the_claims_before_the_generated_username() -> None:
    user = DashboardUserFactory.create(username="demo8", email="", social__extra_data={"sub": "demo"})

    assert display_name(user) == "demo"


def test_a_name_first_then_the_email_when_no_claims_name_a_login() -> None:
    named = DashboardUserFactory.create(first_name="Dee", last_name="Moss", social__extra_data={"sub": "dee"})
    unnamed = DashboardUserFactory.create(username="ann7", email="ann@example.com", social__extra_data={})

    assert display_name(named) == "Dee Moss"
    assert display_name(unnamed) == "ann@example.com"


def test_the_header_names_the_login_and_reads_it_once_a_session() -> None:
    user = DashboardUserFactory.create(username="demo8", social__extra_data={"sub": "demo"})
    client = Client()
    client.force_login(user)

    html = client.get("/").content.decode()

    assert '<span class="visually-hidden">Signed in as </span>demo</span>' in html
    assert "demo8" not in html
    assert client.session["accounts.signed_in_as"] == "demo"
