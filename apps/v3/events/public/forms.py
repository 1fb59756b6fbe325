"""The registration form: the registrant, how many of each ticket and item, a promo code, payment and consent."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.v3.events.models import Item, PaymentMethod, TicketType, Track
from apps.v3.events.services.registering import Order
from apps.v3.events.tickets.money import money

# Payment methods the page offers: none calls an outside service (docs/decisions/events.md#payment-without-a-provider).
PAYMENT_CHOICES = [
    (PaymentMethod.DOOR, "Pay at the door"),
    (PaymentMethod.CHECK, "Pay by check"),
    (PaymentMethod.PAYPAL, "PayPal (you will be sent payment instructions)"),
    (PaymentMethod.STRIPE, "Card (you will be sent payment instructions)"),
]
MAX_PER_CHOICE = 50  # tickets of one type, or items, in one registration


class RegistrationForm(forms.Form):
    """Built for one track: a quantity field per ticket type and per item, labelled with its price."""

    first_name = forms.CharField(max_length=50, label="First name")
    last_name = forms.CharField(max_length=50, label="Last name")
    email_address = forms.EmailField(max_length=80, label="Email address")
    phone_number = forms.CharField(max_length=25, required=False, label="Mobile number (optional)")
    promo_code = forms.CharField(max_length=50, required=False, label="Promo code")
    payment_method = forms.ChoiceField(choices=PAYMENT_CHOICES, required=False, label="How will you pay?")
    email_consent = forms.BooleanField(required=False, label="Email me news and offers from the organizer")
    sms_consent = forms.BooleanField(required=False, label="Text me news and offers at my mobile number")

    def __init__(self, *args: Any, track: Track, tickets: list[TicketType], items: list[Item], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.track = track
        self.ticket_types = tickets
        self.item_rows = items
        currency = track.event.currency_type
        single = track.restrict_to_single_ticket_flag
        for i, ticket in enumerate(tickets):
            self.fields[f"ticket_{ticket.ticket_id}"] = forms.IntegerField(
                min_value=0,
                max_value=1 if single else MAX_PER_CHOICE,
                initial=1 if i == 0 else 0,
                label=f"{ticket.name} — {money(ticket.price, currency) if ticket.price else 'Free'}",
            )
        for item in items:
            most = min(item.limit_per_order or MAX_PER_CHOICE, MAX_PER_CHOICE)
            label = f"{item.name} — {money(item.price, currency)}"
            if item.show_remaining_flag:
                label += f" ({item.quantity_remaining} left)"
            self.fields[f"item_{item.item_id}"] = forms.IntegerField(
                min_value=0, max_value=most, initial=0, label=label, disabled=item.paused_flag
            )
        if not track.promo_codes.exists():
            del self.fields["promo_code"]
        if not self.paid:
            del self.fields["payment_method"]

    @property
    def paid(self) -> bool:
        """Whether anything on offer costs money, so the form asks how the registrant pays."""
        return any(t.price > 0 for t in self.ticket_types) or any(i.price > 0 for i in self.item_rows)

    def ticket_fields(self) -> list[forms.BoundField]:
        """The ticket quantity fields, for their own fieldset."""
        return [self[f"ticket_{t.ticket_id}"] for t in self.ticket_types]

    def item_fields(self) -> list[forms.BoundField]:
        """The item quantity fields, for their own fieldset."""
        return [self[f"item_{i.item_id}"] for i in self.item_rows]

    def clean_email_address(self) -> str:
        return str(self.cleaned_data["email_address"]).strip().lower()

    def clean_phone_number(self) -> str:
        raw = str(self.cleaned_data.get("phone_number") or "")
        digits = "".join(c for c in raw if c.isdigit())
        if raw.strip() and not 4 <= len(digits) <= 15:
            raise forms.ValidationError("Enter a phone number of 4 to 15 digits.")
        return digits

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms_consent") and not data.get("phone_number"):
            self.add_error("phone_number", "Enter your mobile number to receive texts.")
        return data

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self.mark_errors()

    def mark_errors(self) -> None:
        """Fields in error say so to assistive technology, and point at their message."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"})

    def order(self) -> Order:
        """The checked form as an :class:`Order`."""
        data = self.cleaned_data
        return Order(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email_address=data["email_address"],
            phone_number=data.get("phone_number", ""),
            email_consent=bool(data.get("email_consent")),
            sms_consent=bool(data.get("sms_consent")),
            tickets={t: data.get(f"ticket_{t.ticket_id}") or 0 for t in self.ticket_types},
            items={i: data.get(f"item_{i.item_id}") or 0 for i in self.item_rows if data.get(f"item_{i.item_id}")},
            promo_code=(data.get("promo_code") or "").strip(),
            payment_method=data.get("payment_method") or "",
        )

    def field_for(self, name: str) -> str | None:
        """The form field a refusal belongs to: "tickets" is the first ticket's quantity; "" the whole form."""
        if name == "tickets":
            return f"ticket_{self.ticket_types[0].ticket_id}" if self.ticket_types else None
        return name if name in self.fields else None
