"""Set-based writes for the activities: many rows in one statement, without model instances.

On PostgreSQL the rows are copied (binary ``COPY``, each value written by psycopg's C dumpers for
the column's own type) straight into the table, or, to upsert or return ids, into a temporary table
that lives until the batch's transaction commits and is moved with one ``INSERT ... SELECT ... ON
CONFLICT``: no SQL to parse per row and no text formatting in Python (binary COPY measured ten times
faster than building COPY text here, which had been a fifth of a 40,000-row import).
On SQLite they go in as multi-row ``INSERT ... VALUES`` statements, as many rows each as the
bound-parameter limit allows.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection, models, transaction
from psycopg.types.json import set_json_dumps

# SQLite's bound-parameter limit (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_PARAMS = 32_766
# Rows per SQLite statement even when the limit would allow more: longer statements cost more to
# compile than they save.
SQLITE_MAX_ROWS = 500
_stages = itertools.count()


def _dump_json(value: Any) -> str:
    # Nearly every JSON value an activity writes is an empty list (a custom field value's choice ids):
    # answering it without the encoder took a tenth of a large import's time.
    return "[]" if value == [] else json.dumps(value)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` becomes a database value here (None: as it is)."""
    if connection.vendor == "postgresql":
        return None  # dumped by psycopg during the COPY
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.UUIDField):
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    return None


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field


def _chunks(rows: Sequence[tuple[Any, ...]], size: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflict: Sequence[str] = (),
    conflict_where: str = "",
    update: dict[str, str] | None = None,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in ``columns`` order) into ``model``'s table; the ``returning`` columns.

    With ``conflict`` the statement is an upsert on those columns (``conflict_where`` repeats a
    partial unique index's condition): ``update`` maps columns to SQL expressions that may use
    ``excluded.<column>`` and ``{table}.<column>``; without ``update`` a conflicting row is skipped.
    The caller makes sure no two rows conflict with each other.
    """
    if not rows:
        return []
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    fields = [_field(model, name) for name in columns]
    converters = [(i, c) for i, c in enumerate(_converter(f) for f in fields) if c is not None]
    if converters:
        converted = []
        for row in rows:
            values = list(row)
            for i, convert in converters:
                values[i] = convert(values[i])
            converted.append(tuple(values))
        rows = converted
    names = ", ".join(q(f.column) for f in fields)
    tail = ""
    if conflict:
        target = ", ".join(q(_field(model, c).column) for c in conflict)
        where = f" WHERE {conflict_where}" if conflict_where else ""
        if update:
            sets = ", ".join(f"{q(_field(model, c).column)} = {e.format(table=table)}" for c, e in update.items())
            tail = f" ON CONFLICT ({target}){where} DO UPDATE SET {sets}"
        else:
            tail = f" ON CONFLICT ({target}){where} DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(q(_field(model, c).column) for c in returning)
    if connection.vendor == "postgresql":
        return _copy_then_insert(table, names, rows, tail)
    returned: list[tuple[Any, ...]] = []
    size = max(1, min(SQLITE_MAX_ROWS, SQLITE_MAX_PARAMS // len(columns)))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, size):
            # Names come from the model's metadata; every value is a bound parameter.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}{tail}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned += cursor.fetchall()
    return returned


def _copy(cursor: Any, table: str, names: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``COPY table (names) FROM STDIN`` in binary, typed by the table's columns."""
    # Binary COPY needs every value's exact type: read it off the table rather than the model,
    # so a varchar, a smallint or a jsonb column gets the dumper PostgreSQL expects.
    cursor.execute(f"SELECT {names} FROM {table} LIMIT 0")  # noqa: S608 (names from model metadata)
    types = [column.type_code for column in cursor.description]
    set_json_dumps(_dump_json, cursor.cursor)  # this cursor only
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _copy_then_insert(table: str, names: str, rows: Sequence[tuple[Any, ...]], tail: str) -> list[tuple[Any, ...]]:
    """PostgreSQL: COPY straight into the table, or (to upsert or return ids) into a stage moved by one INSERT."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not tail:
            _copy(cursor, table, names, rows)
            return []
        stage = connection.ops.quote_name(f"activity_stage_{next(_stages)}")
        # ON COMMIT DROP: the stage lives at most as long as the batch's transaction.
        create = f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        cursor.execute(create)
        _copy(cursor, stage, names, rows)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}{tail}")  # noqa: S608
        returned: list[tuple[Any, ...]] = cursor.fetchall() if " RETURNING " in tail else []
        cursor.execute(f"DROP TABLE {stage}")
    return returned
