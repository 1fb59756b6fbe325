"""Contact CSV files for the import wizard: read and check an upload, match its columns, preview, rebuild.

Nothing here calls the API or touches storage: it turns bytes into a :class:`CsvFile`, proposes
which contact field each column fills, shows rows as they will be imported, and writes the CSV
the V3 ``contacts_file_import`` operation reads (its own column names, UTF-8, comma-separated).

The limits are the operation's (4 MB, 40,000 lines counting the header). They are checked
here, when the file is uploaded, so a file the API would cut short is refused with a message
before anyone spends time mapping its columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 40_000  # the header counts as one, as the API counts it
# Wider files are almost certainly not contact lists; every column becomes a select on the mapping page.
MAX_COLUMNS = 100
PREVIEW_ROWS = 5
DELIMITERS = (",", ";", "\t", "|")
CUSTOM_PREFIX = "cf:"
# One column in the file that fills the API's birthday_month and birthday_day columns.
BIRTHDAY = "birthday"
BIRTHDAY_PARTS = ("birthday_month", "birthday_day")
MAX_CUSTOM_FIELDS = 25  # per contact, the API's limit

__all__ = [
    "BIRTHDAY",
    "MAX_BYTES",
    "MAX_LINES",
    "STANDARD_TARGETS",
    "CsvFile",
    "CsvProblem",
    "PreviewCell",
    "Target",
    "auto_match",
    "build_import_csv",
    "custom_targets",
    "describe_size",
    "mapping_problems",
    "preview",
    "read_csv",
]


class CsvProblem(ValueError):
    """An upload that cannot be imported; the message says why and what to do, for the person uploading."""


# --- Contact fields a column can fill ---------------------------------------------------------


def normalize_header(text: str) -> str:
    """A header as matching compares it: lower case, punctuation and underscores as single spaces."""
    return " ".join(re.sub(r"[_\-./:]+", " ", text.strip().lower()).split())


@dataclass(frozen=True)
class Target:
    """A contact field a column may be imported into: the API's CSV column name, a label, a group."""

    key: str
    label: str
    group: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """Every normalized header that matches this field automatically."""
        return frozenset(normalize_header(name) for name in (self.key, self.label, *self.aliases))


STANDARD_TARGETS: tuple[Target, ...] = (
    Target("email", "Email address", "Contact", ("email address", "e-mail", "e-mail address", "mail", "emailaddress")),
    Target("sms_number", "SMS number", "Contact", ("sms", "text number", "sms phone")),
    Target("first_name", "First name", "Contact", ("firstname", "first", "given name", "forename", "fname")),
    Target("last_name", "Last name", "Contact", ("lastname", "last", "surname", "family name", "lname")),
    Target("job_title", "Job title", "Contact", ("title", "position", "role", "jobtitle")),
    Target("company_name", "Company", "Contact", ("company", "organization", "organisation", "employer", "business")),
    Target("phone", "Phone", "Phone", ("phone number", "telephone", "tel")),
    Target("home_phone", "Home phone", "Phone"),
    Target("work_phone", "Work phone", "Phone", ("business phone", "office phone")),
    Target("mobile_phone", "Mobile phone", "Phone", ("mobile", "cell", "cell phone", "mobile number")),
    Target("street", "Street", "Address", ("address", "street address", "address line 1", "address1")),
    Target("street2", "Street (line 2)", "Address", ("address line 2", "address2", "street 2")),
    Target("city", "City", "Address", ("town",)),
    Target("state", "State or province", "Address", ("province", "region", "state province", "county")),
    Target("zip", "Postal code", "Address", ("zip code", "zipcode", "postal code", "postcode", "post code")),
    Target("country", "Country", "Address"),
    Target(BIRTHDAY, "Birthday (month and day)", "Dates", ("date of birth", "dob", "birth date", "birthdate")),
    Target("birthday_month", "Birthday month", "Dates"),
    Target("birthday_day", "Birthday day", "Dates"),
    Target("anniversary", "Anniversary", "Dates"),
    Target("sms_consent_date", "SMS consent date", "Dates"),
)
CONTACT_KEYS = ("email", "sms_number")


def custom_targets(custom_fields: Iterable[Mapping[str, str]]) -> list[Target]:
    """The account's custom fields (``{"name", "label"}`` as the API lists them) as ``cf:<name>`` targets."""
    return [
        Target(f"{CUSTOM_PREFIX}{item['name']}", item.get("label") or item["name"], "Custom fields", (item["name"],))
        for item in custom_fields
        if item.get("name")
    ]


# --- Reading an upload -------------------------------------------------------------------------


@dataclass
class CsvFile:
    """An uploaded CSV, checked: its text (decoded), delimiter, header, first rows and size."""

    text: str
    delimiter: str
    encoding: str
    header: list[str]
    sample: list[list[str]]
    contact_rows: int

    def column_name(self, index: int) -> str:
        """The header of column ``index`` as the file names it (or its position when blank)."""
        name = self.header[index].strip() if index < len(self.header) else ""
        return name or f"Column {index + 1}"

    def samples(self, index: int, most: int = 3) -> list[str]:
        """Up to ``most`` non-blank values of column ``index`` from the first rows."""
        values = [row[index].strip() for row in self.sample if index < len(row) and row[index].strip()]
        return values[:most]


def describe_size(size: int) -> str:
    """A byte count for people: ``5.2 MB``, ``310 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The file as text and the encoding it was read in; UTF-8 first, then Windows-1252.

    Excel on Windows saves "CSV" in Windows-1252; reading it as such spares people a round trip,
    and the rebuilt file sent to the API is UTF-8 either way.
    """
    if raw.startswith(b"PK\x03\x04") or b"\x00" in raw[:4096]:
        raise CsvProblem(
            f"{name} is not a CSV file (it looks like a spreadsheet or other binary file). "
            "Save it as “CSV UTF-8” and upload that."
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise CsvProblem(f"{name} is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from None


def _delimiter(first_line: str) -> str:
    """The separator the header uses most: comma, semicolon (European Excel), tab or pipe."""
    counts = {candidate: first_line.count(candidate) for candidate in DELIMITERS}
    best = max(DELIMITERS, key=lambda candidate: counts[candidate])  # ties go to the earliest: the comma
    return best if counts[best] else ","


def _records(text: str, delimiter: str) -> Iterable[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_csv(raw: bytes, name: str) -> CsvFile:
    """The checked file; :class:`CsvProblem` for one that is too big, too long, empty or has no email column.

    Callers check the upload's size before reading it into memory; the length is checked again
    here so that no path can skip it.
    """
    if len(raw) > MAX_BYTES:
        raise CsvProblem(
            f"{name} is {describe_size(len(raw))}; files can be at most {describe_size(MAX_BYTES)}. "
            "Split it into smaller files and import each."
        )
    text, encoding = _decode(raw, name)
    if not text.strip():
        raise CsvProblem(f"{name} is empty. Its first line must name the columns, one contact per line after it.")
    delimiter = _delimiter(text.split("\n", 1)[0])
    header: list[str] | None = None
    sample: list[list[str]] = []
    lines = 0
    try:
        for record in _records(text, delimiter):
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not contacts, and the API skips them too
            lines += 1
            if lines > MAX_LINES:
                raise CsvProblem(
                    f"{name} has more than {MAX_LINES:,} lines; a file can hold the header and "
                    f"{MAX_LINES - 1:,} contacts at most. Split it into smaller files and import each."
                )
            if header is None:
                header = record
            elif len(sample) < PREVIEW_ROWS:
                sample.append(record)
    except csv.Error as exc:
        raise CsvProblem(f"{name} could not be read as CSV ({exc}).") from None
    assert header is not None  # the text has a non-blank line
    if len(header) > MAX_COLUMNS:
        raise CsvProblem(f"{name} has {len(header)} columns; at most {MAX_COLUMNS} can be imported.")
    if lines < 2:
        raise CsvProblem(f"{name} has a header line but no contacts below it.")
    parsed = CsvFile(text, delimiter, encoding, header, sample, lines - 1)
    if not any(auto_match(parsed).get(index) in CONTACT_KEYS for index in range(len(header))):
        raise CsvProblem(
            f"{name} has no email address column. Name one of its columns “Email” (or “SMS number” for "
            "text-message contacts): every contact needs one."
        )
    return parsed


# --- Matching columns to fields ----------------------------------------------------------------


def _looks_like_emails(values: Sequence[str]) -> bool:
    """Whether every value given is an email address (and there is at least one)."""
    if not values:
        return False
    for value in values:
        try:
            validate_email(value)
        except ValidationError:
            return False
    return True


def auto_match(parsed: CsvFile, targets: Sequence[Target] = STANDARD_TARGETS) -> dict[int, str]:
    """Column index -> target key for the columns whose header (or values) say what they hold.

    Headers naming a field exactly (its column name or label) win over looser aliases, so a
    custom field called "Title" takes a "Title" column before Job title's alias does; each field
    takes one column, the first. A column whose header says nothing but whose first values are
    all email addresses is taken as the email column.
    """
    exact = {normalize_header(name): t.key for t in reversed(targets) for name in (t.key, t.label)}
    loose = {name: t.key for t in reversed(targets) for name in t.names}
    headers = [normalize_header(cell) for cell in parsed.header]
    matched: dict[int, str] = {}
    for table in (exact, loose):
        for index, header in enumerate(headers):
            key = table.get(header) or table.get(header.removeprefix("cf "))
            if index not in matched and key and key not in matched.values():
                matched[index] = key
    if "email" not in matched.values():
        for index in range(len(headers)):
            if index not in matched and _looks_like_emails(parsed.samples(index, PREVIEW_ROWS)):
                matched[index] = "email"
                break
    return matched


def mapping_problems(mapping: Mapping[int, str], parsed: CsvFile, targets: Sequence[Target]) -> list[str]:
    """What stops a mapping from being imported, for the person choosing it (empty when it can go)."""
    labels = {t.key: t.label for t in targets}
    problems: list[str] = []
    by_target: dict[str, list[int]] = {}
    for index, key in mapping.items():
        by_target.setdefault(key, []).append(index)
    for key, columns in by_target.items():
        if len(columns) > 1:
            names = " and ".join(f"“{parsed.column_name(i)}”" for i in columns)
            problems.append(f"{labels.get(key, key)} is chosen for more than one column: {names}.")
    if BIRTHDAY in by_target and any(part in by_target for part in BIRTHDAY_PARTS):
        problems.append("Choose either Birthday (month and day) or Birthday month and day columns, not both.")
    if not any(key in by_target for key in CONTACT_KEYS):
        problems.append("Choose the column that holds the email address: every contact needs one.")
    custom = [key for key in by_target if key.startswith(CUSTOM_PREFIX)]
    if len(custom) > MAX_CUSTOM_FIELDS:
        problems.append(f"At most {MAX_CUSTOM_FIELDS} custom fields can be imported; {len(custom)} are chosen.")
    return problems


# --- Values as they will be imported -----------------------------------------------------------

# The birthday forms people write: 3/14, 03-14, 3/14/1990 (month first, as the API reads dates),
# and 1990-03-14.
_MONTH_FIRST = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{2}|\d{4}))?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")


def split_birthday(value: str) -> tuple[str, str] | None:
    """A birthday as (month, day) text, or None when it is not a date this importer reads."""
    text = value.strip()
    match = _MONTH_FIRST.match(text)
    if match:
        month, day = int(match[1]), int(match[2])
    else:
        match = _YEAR_FIRST.match(text)
        if not match:
            return None
        month, day = int(match[2]), int(match[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return str(month), str(day)


def _output_columns(mapping: Mapping[int, str]) -> list[tuple[int, str, str]]:
    """(source column, field chosen for it, API column) in file order; a birthday column becomes two."""
    columns: list[tuple[int, str, str]] = []
    for index in sorted(mapping):
        key = mapping[index]
        columns += [(index, key, part) for part in BIRTHDAY_PARTS] if key == BIRTHDAY else [(index, key, key)]
    return columns


def _converted(chosen: str, column: str, value: str) -> str:
    """The value the API receives in ``column`` from a source cell imported as ``chosen``."""
    value = value.strip()
    if chosen != BIRTHDAY or not value:
        return value
    parts = split_birthday(value)
    if parts is None:
        # An unreadable birthday goes on as the month, so the API reports the row instead of
        # the value quietly disappearing.
        return value if column == "birthday_month" else ""
    return parts[BIRTHDAY_PARTS.index(column)]


def build_import_csv(parsed: CsvFile, mapping: Mapping[int, str]) -> bytes:
    """The CSV the API imports: the mapped columns under the API's names, UTF-8, one record per source record.

    Every source record is written, blank ones included (the API skips them), so the line
    numbers in the API's row errors are the line numbers of the file that was uploaded.
    """
    columns = _output_columns(mapping)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    first = True
    for record in _records(parsed.text, parsed.delimiter):
        if first:
            if not any(cell.strip() for cell in record):
                continue  # read_csv takes the first non-blank line as the header, and so must the API
            writer.writerow(column for _, _, column in columns)
            first = False
            continue
        writer.writerow(
            _converted(chosen, column, record[index]) if index < len(record) else ""
            for index, chosen, column in columns
        )
    return out.getvalue().encode("utf-8")


@dataclass
class PreviewCell:
    """One value of the preview, with a note when the API will likely refuse it."""

    value: str
    problem: str = ""


@dataclass
class Preview:
    """The first rows as they will be imported: the API's columns (labelled) and their values."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[PreviewCell]] = field(default_factory=list)


def _cell(key: str, raw: str) -> PreviewCell:
    value = raw.strip()
    if key == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            return PreviewCell(value, "not an email address")
    if key == BIRTHDAY and value:
        parts = split_birthday(value)
        if parts is None:
            return PreviewCell(value, "not a month and day")
        return PreviewCell(f"{parts[0]}/{parts[1]}")
    return PreviewCell(value)


def preview(parsed: CsvFile, mapping: Mapping[int, str], targets: Sequence[Target]) -> Preview:
    """The sample rows under the chosen fields, in file order."""
    labels = {t.key: t.label for t in targets}
    order = sorted(mapping)
    return Preview(
        headers=[labels.get(mapping[i], mapping[i]) for i in order],
        rows=[[_cell(mapping[i], row[i] if i < len(row) else "") for i in order] for row in parsed.sample],
    )
