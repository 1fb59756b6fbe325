"""Bookkeeping the authorization server needs beyond django-oauth-toolkit's own tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CodeExchange(models.Model):
    """Which access token an authorization code was exchanged for, so a replay can revoke it."""

    code_digest = models.CharField(max_length=64, db_index=True)
    # Not a foreign key: the token row may be revoked (deleted) while this record must remain.
    access_token_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"code {self.code_digest[:8]} -> token {self.access_token_id}"


class RefreshTokenAccount(models.Model):
    """The account a refresh token was granted for, so every token traded for it keeps that account.

    Access tokens carry their account in the JWT, but tokens are stored hashed (RFC 9700), so the
    account a refresh must keep cannot be read back from the row it replaces.
    """

    refresh_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL, on_delete=models.CASCADE, related_name="v3_account"
    )
    # Emptied, not deleted, with the account: a refresh for a deleted account is then refused
    # instead of quietly falling back to the user's default account.
    account = models.ForeignKey("v3.Account", on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"refresh token {self.refresh_token_id} -> account {self.account_id}"


class ApplicationAccountChoice(models.Model):
    """The account a user last authorized an application for, on the consent page.

    An authorization that skips the consent page (``approval_prompt=auto`` with a live token, or
    an application set to skip it) reuses this application's choice, never the account the user
    picked for another application.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey("v3.Account", on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="v3_application_account_choice_unique")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} authorizes application {self.application_id} for account {self.account_id}"
