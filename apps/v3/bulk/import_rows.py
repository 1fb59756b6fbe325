"""Reading the contacts of an import: column names, and each row checked into a :class:`Row`.

CSV files and JSON payloads name the same properties (``email``, ``first_name``, ``home_phone``,
``work_city``, ``cf:<custom field name>`` ...); a CSV header is a list of them, a JSON contact an
object keyed by them. Both go through :class:`RowReader`, so the two imports accept exactly the
same data. A row with a problem is refused whole with a message naming its line or index; the
spec calls invalid email, birthday or anniversary formats and rows without an email or SMS
number *correctable*, every other problem an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.v3.common.text import text_problem
from apps.v3.contacts.models import CustomField, SmsPermission
from apps.v3.contacts.services import parse_calendar_date
from apps.v3.contract import load_spec
from apps.v3.gate.errors import bad_request

CUSTOM_PREFIX = "cf:"
MAX_CONTACT_CUSTOM_FIELDS = 25
MAX_PHONES = 3
SCALARS = ("first_name", "last_name", "job_title", "company_name", "anniversary")
PHONE_COLUMNS = {"phone": "other", "home_phone": "home", "work_phone": "work", "mobile_phone": "mobile"}
PHONE_COLUMNS["other_phone"] = "other"
# Unprefixed address columns describe the home address (the spec's default kind).
ADDRESS_PREFIXES = {"": "home", "home_": "home", "work_": "work", "other_": "other"}
ADDRESS_PARTS = {"street": "street", "street2": "street2", "city": "city", "state": "state"}
ADDRESS_PARTS |= {"zip": "postal_code", "country": "country"}
# Column lengths of the rows these values land in.
LIMITS = {"email": 80, "first_name": 50, "last_name": 50, "job_title": 50, "company_name": 50, "anniversary": 10}
LIMITS |= {"sms_number": 25, "phone": 25, "street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}
CUSTOM_VALUE_LIMIT = 255

ADDRESS_COLUMNS = {
    f"{prefix}{part}": (kind, column)
    for prefix, kind in ADDRESS_PREFIXES.items()
    for part, column in ADDRESS_PARTS.items()
}
# The spec spells one property "home country"; both spellings are accepted.
ALIASES = {"home country": "home_country"}
STANDARD_COLUMNS = frozenset(
    {"email", "sms_number", "sms_consent_date", "birthday_month", "birthday_day", *SCALARS}
    | set(PHONE_COLUMNS)
    | set(ADDRESS_COLUMNS)
)
# A US number: ten digits, written together or as 123-123-1234, optionally after +1 or 1.
_US_NUMBER = re.compile(r"^(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})$")


class RowProblem(Exception):
    """A row that cannot be imported; ``correctable`` as the spec counts it."""

    def __init__(self, message: str, correctable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.correctable = correctable


@dataclass
class Row:
    """One contact of an import, checked: only the properties the row gives are set."""

    label: str
    email: str = ""
    sms: str = ""
    sms_consent: datetime | None = None
    scalars: dict[str, Any] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[int, tuple[str, list[int]]] = field(default_factory=dict)

    def merge(self, later: Row) -> None:
        """Fold a later row for the same contact into this one: its values win."""
        self.label = later.label
        self.scalars.update(later.scalars)
        self.phones.update(later.phones)
        for kind, parts in later.addresses.items():
            self.addresses.setdefault(kind, {}).update(parts)
        self.values.update(later.values)
        if later.sms:
            self.sms, self.sms_consent = later.sms, later.sms_consent
        self.email = self.email or later.email


@lru_cache(maxsize=4096)
def normalize_column(name: str) -> str:
    """A column or property name as the service spells it (case-insensitive, ``cf:`` kept)."""
    key = name.strip()
    lowered = key.lower()
    if lowered.startswith(CUSTOM_PREFIX):
        return CUSTOM_PREFIX + key[len(CUSTOM_PREFIX) :].strip().lower()
    return ALIASES.get(lowered, lowered)


@dataclass
class CustomFieldInfo:
    """What a row needs to check a value for one custom field."""

    pk: int
    type: str
    metadata: dict[str, Any]
    choices: dict[str, int]


def account_custom_fields(account_id: int) -> dict[str, CustomFieldInfo]:
    """The account's custom fields by lower-cased name."""
    fields = CustomField.objects.filter(account_id=account_id).prefetch_related("choices")
    return {
        f.name.lower(): CustomFieldInfo(
            f.pk, f.type, f.metadata or {}, {c.choice_label.strip().lower(): c.choice_id for c in f.choices.all()}
        )
        for f in fields
    }


def check_columns(
    names: Iterable[str],
    custom_fields: dict[str, CustomFieldInfo],
    where: str,
    *,
    csv: bool,
    sms_permission: str | None,
) -> list[str]:
    """The normalized column names; 400 naming any the service does not know or that break a rule."""
    columns = [normalize_column(n) for n in names]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise bad_request(f"{where}: columns repeated: {', '.join(repeated)}")
    custom = [c for c in columns if c.startswith(CUSTOM_PREFIX)]
    unknown = [c for c in columns if c not in STANDARD_COLUMNS and not c.startswith(CUSTOM_PREFIX)]
    unknown += [c for c in custom if c[len(CUSTOM_PREFIX) :] not in custom_fields]
    if unknown:
        raise bad_request(
            f"{where}: unknown columns: {', '.join(unknown)} (custom fields must exist and be named cf:<name>)"
        )
    if "email" not in columns and "sms_number" not in columns:
        raise bad_request(f"{where}: an email or sms_number column is required")
    if len(custom) > MAX_CONTACT_CUSTOM_FIELDS:
        raise bad_request(f"{where}: at most {MAX_CONTACT_CUSTOM_FIELDS} custom fields per contact, got {len(custom)}")
    if csv and "sms_number" in columns and sms_permission is None:
        raise bad_request("sms_permission_to_send: is required when the file has an sms_number column")
    if csv and sms_permission == SmsPermission.EXPLICIT and "sms_consent_date" not in columns:
        raise bad_request("file: an sms_consent_date column is required when sms_permission_to_send is explicit")
    return columns


def json_types() -> dict[str, str]:
    """JSON import property types as the spec declares them (``cf:*`` are strings)."""
    props = load_spec()["definitions"]["JsonImportContact"]["properties"]
    return {normalize_column(name): prop.get("type", "string") for name, prop in props.items()}


def json_limits() -> dict[str, int]:
    """JSON import property lengths as the spec declares them."""
    props = load_spec()["definitions"]["JsonImportContact"]["properties"]
    return {normalize_column(name): prop["maxLength"] for name, prop in props.items() if "maxLength" in prop}


class RowReader:
    """Checks rows of one import against the account's custom fields and the import's settings."""

    def __init__(self, custom_fields: dict[str, CustomFieldInfo], sms_permission: str | None, *, csv: bool) -> None:
        self.custom_fields = custom_fields
        self.sms_permission = sms_permission or SmsPermission.NOT_SET
        self.csv = csv
        self.types = {} if csv else json_types()
        self.spec_limits = {} if csv else json_limits()

    def read(self, label: str, raw: dict[str, Any]) -> Row:
        """The row as a :class:`Row`; :class:`RowProblem` when it cannot be imported."""
        values = self._text_values(label, raw)
        row = Row(label=label)
        if "email" in values:
            row.email = self._email(label, values.pop("email"))
        if "sms_number" in values:
            row.sms = self._sms(label, values.pop("sms_number"))
        consent = values.pop("sms_consent_date", None)
        if row.sms and self.sms_permission == SmsPermission.EXPLICIT and consent:
            row.sms_consent = self._consent(label, consent)
        if not row.email and not row.sms:
            raise RowProblem(f"{label}: a contact needs an email or an sms_number", correctable=True)
        self._birthday(label, row, values.pop("birthday_month", None), values.pop("birthday_day", None))
        for name, value in values.items():
            if name in SCALARS:
                row.scalars[name] = self._scalar(label, name, value)
            elif name in PHONE_COLUMNS:
                kind = PHONE_COLUMNS[name]
                # ``phone`` is the default kind (other); an ``other_phone`` column says it outright and wins.
                if name != "phone" or kind not in row.phones:
                    row.phones[kind] = self._limited(label, name, value, "phone")
            elif name in ADDRESS_COLUMNS:
                kind, column = ADDRESS_COLUMNS[name]
                # Prefixed columns name their kind outright, so they win over the unprefixed ones.
                parts = row.addresses.setdefault(kind, {})
                if name.startswith(kind) or column not in parts:
                    parts[column] = value
            elif name.startswith(CUSTOM_PREFIX):
                info = self.custom_fields.get(name[len(CUSTOM_PREFIX) :])
                if info is not None:  # a field deleted since the request was checked is ignored
                    row.values[info.pk] = self._custom(label, name, info, value)
        if len(row.phones) > MAX_PHONES:
            raise RowProblem(f"{label}: at most {MAX_PHONES} phone numbers per contact")
        self._finish_addresses(label, row)
        return row

    def _text_values(self, label: str, raw: dict[str, Any]) -> dict[str, str]:
        """Non-blank values as stripped text, keys normalized; JSON values checked against the spec types."""
        values: dict[str, str] = {}
        for key, value in raw.items():
            if value is None or value == "":
                continue
            name = normalize_column(key)
            text = value.strip() if self.csv else self._json_text(label, key, name, value)
            problem = text_problem(text)
            if problem:
                raise RowProblem(f"{label}: {key} {problem}")
            if text:
                values[name] = text
        return values

    def _json_text(self, label: str, key: str, name: str, value: Any) -> str:
        """A JSON property's value as text, after the type and length checks the spec declares."""
        if self.types.get(name, "string") == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                raise RowProblem(f"{label}: {key} must be an integer")
        elif not isinstance(value, str):
            raise RowProblem(f"{label}: {key} must be a string")
        text = str(value).strip()
        limit = self.spec_limits.get("cf:custom_field_name" if name.startswith(CUSTOM_PREFIX) else name)
        if limit is not None and len(text) > limit:
            raise RowProblem(f"{label}: {key} is longer than {limit} characters")
        return text

    def _limited(self, label: str, name: str, value: str, column: str) -> str:
        limit = LIMITS[column]
        if len(value) > limit:
            raise RowProblem(f"{label}: {name} is longer than {limit} characters")
        return value

    def _email(self, label: str, value: str) -> str:
        address = value.lower()
        try:
            validate_email(address)
        except ValidationError:
            raise RowProblem(f"{label}: email {value!r} is not a valid email address", correctable=True) from None
        return self._limited(label, "email", address, "email")

    def _sms(self, label: str, value: str) -> str:
        match = _US_NUMBER.match(value)
        if match is None:
            raise RowProblem(f"{label}: sms_number {value!r} is not a US number (1231231234 or 123-123-1234)")
        return "".join(match.groups())

    def _consent(self, label: str, value: str) -> datetime:
        day = parse_calendar_date(value)
        if day is None:
            raise RowProblem(f"{label}: sms_consent_date {value!r} is not a date (MM/DD/YYYY, YYYY-MM-DD and the like)")
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _birthday(self, label: str, row: Row, month: str | None, day: str | None) -> None:
        if month is None and day is None:
            return
        if month is None or day is None:
            raise RowProblem(f"{label}: birthday_month and birthday_day go together", correctable=True)
        m, d = _small_int(month), _small_int(day)
        if m is None or not 1 <= m <= 12 or d is None or not 1 <= d <= 31:
            raise RowProblem(f"{label}: birthday {month}/{day} is not a month (1-12) and day (1-31)", correctable=True)
        row.scalars["birthday_month"], row.scalars["birthday_day"] = m, d

    def _scalar(self, label: str, name: str, value: str) -> str:
        if name == "anniversary" and parse_calendar_date(value) is None:
            raise RowProblem(
                f"{label}: anniversary {value!r} is not a date (MM/DD/YYYY, YYYY-MM-DD and the like)", correctable=True
            )
        return self._limited(label, name, value, name)

    def _custom(self, label: str, name: str, info: CustomFieldInfo, value: str) -> tuple[str, list[int]]:
        if len(value) > CUSTOM_VALUE_LIMIT:
            raise RowProblem(f"{label}: {name} is longer than {CUSTOM_VALUE_LIMIT} characters")
        if info.type in ("single_select", "multi_select"):
            labels = [v.strip() for v in value.split(",")] if info.type == "multi_select" else [value]
            missing = [v for v in labels if v.lower() not in info.choices]
            if missing or (info.type == "single_select" and len(labels) != 1):
                raise RowProblem(f"{label}: {name}: {', '.join(missing) or value!r} is not a choice of this field")
            return value, [info.choices[v.lower()] for v in labels]
        if info.type in ("number", "currency"):
            self._number(label, name, info, value)
        if info.type == "date" and parse_calendar_date(value) is None:
            raise RowProblem(f"{label}: {name}: {value!r} is not a date (MM/DD/YYYY, YYYY-MM-DD and the like)")
        return value, []

    @staticmethod
    def _number(label: str, name: str, info: CustomFieldInfo, value: str) -> None:
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise RowProblem(f"{label}: {name}: {value!r} is not a number")
        if number < 0 and not info.metadata.get("allow_negative", False):
            raise RowProblem(f"{label}: {name}: this field takes no negative numbers")
        if info.metadata.get("integer") and number != number.to_integral_value():
            raise RowProblem(f"{label}: {name}: this field takes whole numbers")

    @staticmethod
    def _finish_addresses(label: str, row: Row) -> None:
        for parts in row.addresses.values():
            # Line two is appended to line one, as the spec says.
            street2 = parts.pop("street2", "")
            if street2:
                parts["street"] = f"{parts.get('street', '')} {street2}".strip()
            for column, value in parts.items():
                if len(value) > LIMITS[column]:
                    raise RowProblem(f"{label}: {column} is longer than {LIMITS[column]} characters")


def _small_int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 2 else None
