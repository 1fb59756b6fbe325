"""factory_boy factories for the V3 service's identity models."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from oauth2_provider.models import Application

from apps.v3.account.models import Account, AccountMembership, Role


class UserFactory(factory.django.DjangoModelFactory):
    """A service user with a known password."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class AccountFactory(factory.django.DjangoModelFactory):
    """An account with organization details filled in."""

    class Meta:
        model = Account

    organization_name = factory.Sequence(lambda n: f"Organization {n}")
    contact_email = factory.Sequence(lambda n: f"owner{n}@example.com")
    first_name = "Pat"
    last_name = "Owner"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A user's role on an account."""

    class Meta:
        model = AccountMembership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ACCOUNT_OWNER


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A confidential authorization-code application."""

    class Meta:
        model = Application

    name = factory.Sequence(lambda n: f"App {n}")
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    redirect_uris = "http://127.0.0.1:9999/callback"
    client_secret = "s3cret-for-tests"  # noqa: S105 - a fixture value
    hash_client_secret = True
