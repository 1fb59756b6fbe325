"""The import wizard's CSV handling on its own: limits, encodings, automatic matches, the rebuilt file."""

from __future__ import annotations

import csv
import io

import pytest

from apps.jobs.csv_files import (
    MAX_BYTES,
    MAX_LINES,
    STANDARD_TARGETS,
    CsvProblem,
    auto_match,
    build_import_csv,
    custom_targets,
    mapping_problems,
    preview,
    read_csv,
    split_birthday,
)


def rows_csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    """A CSV file's bytes."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode()


def test_a_file_is_read_with_its_header_sample_and_count() -> None:
    parsed = read_csv(rows_csv(["Email", "First"], [[f"p{i}@example.com", f"P{i}"] for i in range(8)]), "p.csv")
    assert parsed.header == ["Email", "First"]
    assert parsed.contact_rows == 8
    assert len(parsed.sample) == 5
    assert parsed.samples(0, 2) == ["p0@example.com", "p1@example.com"]


def test_limits_and_missing_email_are_refused_with_what_to_do() -> None:
    with pytest.raises(CsvProblem, match=r"big\.csv is 4\.0 MB; files can be at most 4\.0 MB"):
        read_csv(b"email\n" + b"a" * MAX_BYTES, "big.csv")
    too_long = rows_csv(["email"], [[f"p{i}@example.com"] for i in range(MAX_LINES)])
    with pytest.raises(CsvProblem, match="more than 40,000 lines"):
        read_csv(too_long, "long.csv")
    read_csv(rows_csv(["email"], [[f"p{i}@example.com"] for i in range(MAX_LINES - 1)]), "just-fits.csv")
    with pytest.raises(CsvProblem, match="no email address column"):
        read_csv(rows_csv(["first", "last"], [["Ann", "Lee"]]), "names.csv")
    with pytest.raises(CsvProblem, match="is empty"):
        read_csv(b"\n\n", "empty.csv")
    with pytest.raises(CsvProblem, match="no contacts below it"):
        read_csv(b"email\n", "header.csv")
    with pytest.raises(CsvProblem, match="not a CSV file"):
        read_csv(b"PK\x03\x04 spreadsheet", "book.xlsx")


def test_an_unnamed_column_of_addresses_counts_as_the_email_column() -> None:
    parsed = read_csv(rows_csv(["Who", "Contact"], [["Ann", "ann@example.com"], ["Bo", "bo@example.com"]]), "x.csv")
    assert auto_match(parsed) == {1: "email"}


def test_windows_1252_and_semicolons_are_read() -> None:
    raw = "Email;Nom\r\nzoé@example.com;Zoé\r\n".encode("cp1252")
    parsed = read_csv(raw, "excel.csv")
    assert parsed.encoding == "Windows-1252" and parsed.delimiter == ";"
    assert parsed.sample == [["zoé@example.com", "Zoé"]]


def test_headers_match_fields_and_custom_fields_exact_names_first() -> None:
    header = ["E-mail Address", "Given name", "Surname", "Title", "Plan", "DOB", "Zip Code", "Notes"]
    parsed = read_csv(rows_csv(header, [["a@example.com"] * 8]), "x.csv")
    targets = [
        *STANDARD_TARGETS,
        *custom_targets([{"name": "title", "label": "Title"}, {"name": "plan", "label": "Plan"}]),
    ]
    assert auto_match(parsed, targets) == {
        0: "email",
        1: "first_name",
        2: "last_name",
        3: "cf:title",  # the custom field's exact name beats Job title's alias
        4: "cf:plan",
        5: "birthday",
        6: "zip",
    }


def test_mapping_problems_name_the_columns() -> None:
    parsed = read_csv(rows_csv(["Email", "Mail", "Birthday", "Month"], [["a@example.com"] * 4]), "x.csv")
    problems = mapping_problems({0: "email", 1: "email", 2: "birthday", 3: "birthday_month"}, parsed, STANDARD_TARGETS)
    assert problems == [
        "Email address is chosen for more than one column: “Email” and “Mail”.",
        "Choose either Birthday (month and day) or Birthday month and day columns, not both.",
    ]
    assert mapping_problems({2: "first_name"}, parsed, STANDARD_TARGETS) == [
        "Choose the column that holds the email address: every contact needs one."
    ]


def test_the_rebuilt_file_has_the_api_columns_and_keeps_line_numbers() -> None:
    raw = b"Name,E-mail,Birthday,Skip\r\nAnn,ann@example.com,3/14/1990,x\r\n\r\nBo,bo@example.com,1985-12-02,y\r\n"
    parsed = read_csv(raw, "x.csv")
    built = build_import_csv(parsed, {0: "first_name", 1: "email", 2: "birthday"})
    assert built.decode().splitlines() == [
        "first_name,email,birthday_month,birthday_day",
        "Ann,ann@example.com,3,14",
        ",,,",  # the blank line stays, so the API's "line 4" is the uploaded file's line 4
        "Bo,bo@example.com,12,2",
    ]


def test_birthdays_and_the_preview() -> None:
    assert split_birthday("03-14") == ("3", "14")
    assert split_birthday("2001/2/28") == ("2", "28")
    assert split_birthday("14/31") is None and split_birthday("soon") is None
    parsed = read_csv(b"email,birthday\nnot-an-email,soon\nok@example.com,4/1\n", "x.csv")
    shown = preview(parsed, {0: "email", 1: "birthday"}, STANDARD_TARGETS)
    assert shown.headers == ["Email address", "Birthday (month and day)"]
    assert [(c.value, c.problem) for c in shown.rows[0]] == [
        ("not-an-email", "not an email address"),
        ("soon", "not a month and day"),
    ]
    assert [(c.value, c.problem) for c in shown.rows[1]] == [("ok@example.com", ""), ("4/1", "")]
