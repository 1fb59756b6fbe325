"""Production settings: clean under ``check --deploy``, and start-up stops on a bad environment.

Start-up runs in a subprocess (settings load once per process); the parsers in
``ctctdash.settings.environment`` are also tested directly, where their edge cases are cheap.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ctctdash.settings import environment

from .support import required_variables, run_python

SETUP = ["-c", "import django; django.setup()"]

# What ctctdash.settings.production refuses to start without, as the operator's docs say.
REQUIRED = required_variables()

# One bad value for each variable the settings parse, so each one's wiring is proven.
MALFORMED = [
    ("DATABASE_URL", "nonsense://x"),
    ("DJANGO_DEBUG", "maybe"),
    ("DJANGO_SECURE_SSL_REDIRECT", "sometimes"),
    ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
    ("DJANGO_CONN_MAX_AGE", "forever"),
    ("EMAIL_URL", "nonsense://x"),
    ("REDIS_URL", "redis.internal:6379"),
    ("CELERY_BROKER_URL", "redis.internal:6379"),
    ("CTCTDASH_SITE_URL", "ctctdash.example.com"),
]


def assert_stopped_naming(result: subprocess.CompletedProcess[str], *names: str) -> None:
    """Start-up failed with ImproperlyConfigured, and its message names every one of ``names``."""
    assert result.returncode != 0, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured"), result.stderr
    for name in names:
        assert name in last_line, result.stderr


# --- Start-up, in a fresh process ------------------------------------------------------------


def test_deploy_check_passes_without_warnings(production_env: dict[str, str]) -> None:
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_documented_environment_starts(production_env: dict[str, str]) -> None:
    result = run_python(SETUP, production_env)
    assert result.returncode == 0, result.stderr


def test_a_missing_secret_key_stops_startup(production_env: dict[str, str]) -> None:
    del production_env["DJANGO_SECRET_KEY"]
    assert_stopped_naming(run_python(SETUP, production_env), "DJANGO_SECRET_KEY")


def test_a_blank_secret_key_counts_as_missing(production_env: dict[str, str]) -> None:
    production_env["DJANGO_SECRET_KEY"] = "  "
    assert_stopped_naming(run_python(SETUP, production_env), "DJANGO_SECRET_KEY")


def test_every_missing_required_variable_is_named_at_once(production_env: dict[str, str]) -> None:
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "V3_JWT_PRIVATE_KEY"} <= set(REQUIRED)
    for name in REQUIRED:
        del production_env[name]
    assert_stopped_naming(run_python(SETUP, production_env), *REQUIRED)


def test_only_the_required_variables_are_needed(production_env: dict[str, str]) -> None:
    """The docs mark no more than production needs: without every other variable it starts."""
    kept = {"PATH", "DJANGO_SETTINGS_MODULE", "CTCTDASH_VAR_DIR", *REQUIRED}
    env = {name: value for name, value in production_env.items() if name in kept}
    assert env != production_env  # something optional was really left out
    result = run_python(SETUP, env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("name", "value"), MALFORMED)
def test_a_malformed_variable_stops_startup(name: str, value: str, production_env: dict[str, str]) -> None:
    production_env[name] = value
    assert_stopped_naming(run_python(SETUP, production_env), name)


def test_a_malformed_database_url_is_not_echoed(production_env: dict[str, str]) -> None:
    production_env["DATABASE_URL"] = "nonsense://ctctdash:hunter2@postgres.internal/ctctdash"
    result = run_python(SETUP, production_env)
    assert_stopped_naming(result, "DATABASE_URL")
    assert "hunter2" not in result.stderr  # the password stays out of logs


def test_the_local_default_needs_no_environment(tmp_path: Path) -> None:
    """`make run` works on a bare machine: the defaults pass the same parsers production's values do."""
    env = {"DJANGO_SETTINGS_MODULE": "ctctdash.settings.local", "CTCTDASH_VAR_DIR": str(tmp_path / "var")}
    result = run_python(SETUP, env)
    assert result.returncode == 0, result.stderr


PRINT_DB_OPTIONS = ["-c", "import django; django.setup(); from django.conf import settings; print(settings.DATABASES)"]


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("postgres://u@db.internal/ctctdash", "'options': '-c random_page_cost=1.1'"),
        ("postgres://u@db.internal/ctctdash?options=-c%20work_mem%3D64MB", "'options': '-c work_mem=64MB'"),
    ],
)
def test_postgresql_connections_plan_for_ssds_unless_the_url_says_otherwise(
    database_url: str, expected: str, tmp_path: Path
) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "ctctdash.settings.local", "CTCTDASH_VAR_DIR": str(tmp_path / "var")}
    result = run_python(PRINT_DB_OPTIONS, env | {"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


# --- The parsers, in this process ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "schemes"),
    [
        ("redis.internal:6379", ["redis"]),
        ("http://redis.internal:6379", ["redis", "rediss"]),
        ("https://", ["https"]),
        ("https:///path-but-no-host", ["https"]),
        ("", None),
    ],
)
def test_url_refuses(value: str, schemes: list[str] | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_URL", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_URL"):
        environment.read("SOME_URL", environment.url, schemes=schemes)


def test_url_with_an_empty_default_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_URL", raising=False)
    assert environment.read("SOME_URL", environment.url, schemes=["redis"], default="") == ""


@pytest.mark.parametrize("value", ["redis://r:6379/0", "rediss://r:6380/1", "unix:///run/redis.sock"])
def test_url_accepts(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_URL", value)
    assert environment.read("SOME_URL", environment.url, schemes=["redis", "rediss", "unix"]) == value


@pytest.mark.parametrize("value", ["nonsense://x", "postgres-but-not-quite", "localhost/ctctdash"])
def test_db_url_refuses_unknown_schemes(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_DB", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_DB"):
        environment.read("SOME_DB", environment.db_url, default="sqlite://:memory:")


def test_db_url_parses_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_DB", "postgres://u:p@db.internal:5432/ctctdash")
    config = environment.read("SOME_DB", environment.db_url, default="sqlite://:memory:")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5432, "ctctdash")


def test_a_parser_error_that_does_not_name_the_variable_is_reworded(monkeypatch: pytest.MonkeyPatch) -> None:
    # django-environ's own message for a bad email URL is "Invalid email schema nonsense".
    monkeypatch.setenv("SOME_EMAIL", "nonsense://x")
    with pytest.raises(ImproperlyConfigured, match="SOME_EMAIL is malformed"):
        environment.read("SOME_EMAIL", environment.env.email_url)


def test_require_names_only_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESENT_VAR", "x")
    monkeypatch.setenv("BLANK_VAR", "")
    monkeypatch.delenv("ABSENT_VAR", raising=False)
    with pytest.raises(ImproperlyConfigured) as raised:
        environment.require(["PRESENT_VAR", "BLANK_VAR", "ABSENT_VAR"], where="here")
    message = str(raised.value)
    assert "BLANK_VAR" in message and "ABSENT_VAR" in message
    assert "PRESENT_VAR" not in message


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_positive_int_refuses(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_DAYS"):
        environment.read("SOME_DAYS", environment.positive_int, default=10)


def test_positive_int_reads_a_value_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_DAYS", "3")
    assert environment.read("SOME_DAYS", environment.positive_int, default=10) == 3
    monkeypatch.delenv("SOME_DAYS")
    assert environment.read("SOME_DAYS", environment.positive_int, default=10) == 10


PRINT_SITE = ["-c", "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"]


def test_the_site_url_follows_port_when_not_set(tmp_path: Path) -> None:
    """`PORT=8300 manage.py issue_token` mints tokens the server on 8300 accepts, Makefile or not."""
    env = {"DJANGO_SETTINGS_MODULE": "ctctdash.settings.local", "CTCTDASH_VAR_DIR": str(tmp_path), "PORT": "8300"}
    assert run_python(PRINT_SITE, env).stdout.strip() == "http://127.0.0.1:8300"
    env["CTCTDASH_SITE_URL"] = "https://marketing.example.com/"
    assert run_python(PRINT_SITE, env).stdout.strip() == "https://marketing.example.com"
