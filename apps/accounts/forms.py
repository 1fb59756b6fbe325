"""Forms for workspaces and members."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Membership, Role, Workspace


class WorkspaceForm(forms.ModelForm):
    """Name a new workspace and say whether it is a business or an agency."""

    class Meta:
        model = Workspace
        fields = ["name", "kind"]
        labels = {"kind": "This workspace is for"}
        widgets = {"kind": forms.RadioSelect}


class _RoleChoiceMixin:
    """Offers only the roles the acting member may give.

    Only the widget is narrowed: any role validates, and the action refuses (403) a role the
    member may not give, so a hand-made POST is told "forbidden", not "invalid choice".
    """

    fields: dict[str, Any]

    def limit_roles(self, actor: Membership) -> None:
        self.fields["role"].widget.choices = [(role.value, role.label) for role in actor.assignable_roles()]


class MemberAddForm(_RoleChoiceMixin, forms.Form):
    """Add a member by email address (an invitation is sent if they have not signed in yet)."""

    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MARKETER)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_roles(actor)


class MemberRoleForm(_RoleChoiceMixin, forms.Form):
    """Change one member's role."""

    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_roles(actor)
