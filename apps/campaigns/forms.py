"""The campaign form: who it is from, its subject, its recipients and its HTML."""

from __future__ import annotations

from typing import Any

from django import forms

from ctctdash.pages import AccessibleForm


class CampaignForm(AccessibleForm):
    """Create or edit a campaign's primary email; the choices are the account's senders, lists and segments."""

    name = forms.CharField(label="Campaign name", max_length=80)
    from_name = forms.CharField(label="From name", max_length=100)
    from_email = forms.ChoiceField(label="From address")
    reply_to_email = forms.ChoiceField(label="Reply-to address")
    subject = forms.CharField(label="Subject")
    preheader = forms.CharField(
        label="Preheader", required=False, help_text="The line of text mail apps show after the subject."
    )
    lists = forms.MultipleChoiceField(label="Send to these lists", required=False, widget=forms.CheckboxSelectMultiple)
    segment = forms.ChoiceField(label="Or to one segment", required=False)
    html_content = forms.CharField(
        label="HTML content",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=(
            "Put [[trackingImage]] in the body (opens are counted by it). Merge fields such as "
            '[[FIRSTNAME OR "there"]] are filled in for each contact.'
        ),
    )

    def __init__(
        self,
        *args: Any,
        senders: list[str],
        lists: list[tuple[str, str]],
        segments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        sender_choices = [(address, address) for address in senders]
        self.fields["from_email"].choices = sender_choices  # type: ignore[attr-defined]
        self.fields["reply_to_email"].choices = sender_choices  # type: ignore[attr-defined]
        self.fields["lists"].choices = lists  # type: ignore[attr-defined]
        self.fields["segment"].choices = [("", "No segment"), *segments]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Lists or one segment, never both (the API's rule, said before it is asked)."""
        cleaned = super().clean() or {}
        if cleaned.get("lists") and cleaned.get("segment"):
            self.add_error("segment", "Send to lists or to a segment, not both: clear the lists or the segment.")
        return cleaned

    def api_paths(self) -> dict[str, str]:
        """The API's body fields, named as this form names them."""
        return {
            **{name: name for name in self.fields},
            "email_campaign_activities": "html_content",
            "contact_list_ids": "lists",
            "segment_ids": "segment",
        }


MAX_TEST_ADDRESSES = 5


class TestSendForm(AccessibleForm):
    """A test send: up to five addresses and a personal message."""

    email_addresses = forms.CharField(
        label="Send a test to", help_text="Up to five email addresses, separated by commas or new lines."
    )
    personal_message = forms.CharField(
        label="Personal message", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_email_addresses(self) -> list[str]:
        """The addresses, each valid, at most five."""
        raw = [part.strip() for part in self.cleaned_data["email_addresses"].replace("\n", ",").split(",")]
        addresses = [address for address in raw if address]
        if len(addresses) > MAX_TEST_ADDRESSES:
            raise forms.ValidationError(f"A test goes to at most {MAX_TEST_ADDRESSES} addresses.")
        for address in addresses:
            forms.EmailField().clean(address)
        if not addresses:
            raise forms.ValidationError("Give at least one email address.")
        return addresses


class ScheduleForm(AccessibleForm):
    """Send now, or at a date and time (in the dashboard's time zone)."""

    when = forms.ChoiceField(
        label="When", choices=[("now", "Send now"), ("later", "At a date and time")], widget=forms.RadioSelect
    )
    scheduled_at = forms.DateTimeField(
        label="Date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self) -> dict[str, Any]:
        """A date and time when sending later."""
        cleaned = super().clean() or {}
        if cleaned.get("when") == "later" and not cleaned.get("scheduled_at"):
            self.add_error("scheduled_at", "Give the date and time to send it at.")
        return cleaned

    def scheduled_date(self) -> str:
        """The schedule operation's ``scheduled_date``: "0" for now, else the ISO date-time."""
        if self.cleaned_data["when"] == "now":
            return "0"
        return str(self.cleaned_data["scheduled_at"].isoformat())

    def api_paths(self) -> dict[str, str]:
        """The API's ``scheduled_date`` is this form's date and time."""
        return {"scheduled_date": "scheduled_at", "when": "when"}
