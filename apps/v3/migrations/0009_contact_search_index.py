"""A trigram index for ``GET /contacts?search=`` (this service's addition to the spec), on PostgreSQL.

``search`` matches any part of a contact's first name, last name or email address; a trigram GIN
index on that text answers ``LIKE '%term%'`` without reading every contact of the account. pg_trgm
is a trusted extension (PostgreSQL 13+), so a database owner can create it. SQLite, the embedded
default, has no such index and scans the account's contacts.
"""

from django.db import migrations

SEARCH_TEXT = "lower(first_name || ' ' || last_name || ' ' || email_address)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS v3_contact_search_trgm ON v3_contact USING gin (({SEARCH_TEXT}) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS v3_contact_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("v3", "0008_application_account_choice")]

    operations = [migrations.RunPython(create, drop)]
