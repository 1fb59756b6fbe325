"""The consent form: DOT's, plus the account the authorization is for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundWidget
from oauth2_provider.forms import AllowForm

from apps.v3.account.models import Account, AccountMembership


class ConsentForm(AllowForm):
    """Allow or deny an application; a user with several accounts also picks one of them.

    With one membership the account travels as a hidden field, so the page looks as before; a
    request that leaves it out still gets that account.
    """

    account = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the account to authorize.",
            "invalid_choice": "Choose one of your accounts: “%(value)s” is not one of them.",
        },
    )

    def __init__(
        self, *args: Any, memberships: Sequence[AccountMembership] = (), preselected: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        field = cast(forms.ChoiceField, self.fields["account"])
        field.choices = [(m.account.encoded_account_id, account_label(m.account)) for m in self.memberships]
        field.required = len(self.memberships) > 1
        if len(self.memberships) <= 1:
            field.widget = forms.HiddenInput()
        ids = [m.account.encoded_account_id for m in self.memberships]
        field.initial = preselected if preselected in ids else (ids[0] if ids else "")

    def clean_account(self) -> Account | None:
        """The chosen account (the only one when there is one), or None for a user with no account."""
        chosen = self.cleaned_data.get("account") or ""
        for membership in self.memberships:
            if membership.account.encoded_account_id == chosen or (not chosen and len(self.memberships) == 1):
                return membership.account
        return None

    def account_options(self) -> Iterator[tuple[BoundWidget, AccountMembership]]:
        """Each radio button beside the membership it stands for, to show the role with the name."""
        return zip(self["account"], self.memberships, strict=True)

    def choosing_account(self) -> bool:
        """Whether the page shows the account list (more than one membership)."""
        return len(self.memberships) > 1


def account_label(account: Account) -> str:
    """An account as a person recognises it: its organization name, else its id."""
    return account.organization_name or f"Account {account.encoded_account_id}"
