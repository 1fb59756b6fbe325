"""factory_boy factories for dashboard users, workspaces, members and connections."""

from __future__ import annotations

import time
from typing import Any

import factory
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from apps.accounts.models import Connection, Membership, Role, Workspace


class DashboardUserFactory(factory.django.DjangoModelFactory):
    """Someone who has signed in to the dashboard with Constant Contact (no password)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"dash{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.net")
    password = factory.PostGenerationMethodCall("set_unusable_password")
    social = factory.RelatedFactory(
        "tests.dashboard.accounts.factories.SocialAccountFactory", factory_related_name="user"
    )

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class SocialAccountFactory(factory.django.DjangoModelFactory):
    """The Constant Contact login behind a dashboard user."""

    class Meta:
        model = SocialAccount

    provider = "constantcontact"
    uid = factory.Sequence(lambda n: f"http://ctct.test/oauth2/default|{n}")
    extra_data = factory.LazyAttribute(lambda a: {"sub": a.user.email})


class WorkspaceFactory(factory.django.DjangoModelFactory):
    """A business workspace."""

    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class WorkspaceMembershipFactory(factory.django.DjangoModelFactory):
    """A dashboard user's role in a workspace."""

    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(DashboardUserFactory)
    role = Role.OWNER


def fake_token(n: int = 0, lifetime: float = 86_400) -> dict[str, Any]:
    """A token dict shaped like requests-oauthlib's (not accepted by any server)."""
    return {
        "access_token": f"access-{n}",
        "refresh_token": f"refresh-{n}",
        "token_type": "Bearer",
        "expires_at": time.time() + lifetime,
    }


class ConnectionFactory(factory.django.DjangoModelFactory):
    """A workspace's connection holding a fake token (encrypted like a real one)."""

    class Meta:
        model = Connection

    workspace = factory.SubFactory(WorkspaceFactory)
    encoded_account_id = factory.Sequence(lambda n: f"acct{n:08d}")
    api_base_url = "http://ctct.test/v3"
    token_url = "http://ctct.test/oauth2/default/v1/token"
    organization_name = factory.Sequence(lambda n: f"Organization {n}")
    token = factory.Sequence(fake_token)
