"""The rows of a demo load, numbered in Python before they are written, so that every foreign key
is known without reading anything back; and the bulk writer (one statement per batch)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from itertools import count

from peewee import BooleanField, DateField, DateTimeField, PostgresqlDatabase, fn

from savings_groups.store.models import DecimalText

BATCH = 20_000  # rows per executemany / COPY call


class Rows:
    """Rows to insert, per model, as tuples in the order of `columns(model)`; ids given here,
    going on from the largest id already in each table (so a load can be added to a database)."""

    def __init__(self, first_ids: dict | None = None):
        self.ids: dict = {model: count(first) for model, first in (first_ids or {}).items()}
        self.rows: dict = {}
        self._fields: dict = {}

    def fields(self, model) -> tuple[str, ...]:
        names = self._fields.get(model)
        if names is None:
            names = self._fields[model] = tuple(f.name for f in model._meta.sorted_fields)
        return names

    def new_id(self, model) -> int:
        ids = self.ids.get(model)
        if ids is None:
            ids = self.ids[model] = count(1)
        return next(ids)

    def add(self, model, **values) -> int:
        """A row with the model's plain defaults for what is not given; returns its id. Fields
        whose default is computed (a clock) must be given: the load is reproducible."""
        row_id = values.pop("id", None) or self.new_id(model)
        row = []
        for name in self.fields(model):
            if name == "id":
                row.append(row_id)
            elif name in values:
                row.append(values.pop(name))
            else:
                default = model._meta.fields[name].default
                if callable(default):
                    raise ValueError(f"{model.__name__}.{name} must be given")
                row.append(default)
        if values:
            raise ValueError(f"unknown fields of {model.__name__}: {sorted(values)}")
        self.rows.setdefault(model, []).append(tuple(row))
        return row_id

    def append(self, model, row: tuple) -> None:
        """A row already in the order of fields(model) (the hot paths build them directly)."""
        self.rows.setdefault(model, []).append(row)

    def count(self, model) -> int:
        return len(self.rows.get(model, ()))


def first_ids(database, models: Iterable) -> dict:
    """The next free id of each table (one query each)."""
    return {m: (m.select(fn.MAX(m.id)).scalar() or 0) + 1 for m in models}


def _converter(field, sqlite: bool):
    """How a value of this field is given to the driver (peewee's own storage forms)."""
    if isinstance(field, DecimalText):
        return lambda v: None if v is None else str(Decimal(v))
    if not sqlite:
        return None
    if isinstance(field, DateTimeField):
        return lambda v: None if v is None else v.isoformat(" ")
    if isinstance(field, DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, BooleanField):
        return lambda v: None if v is None else int(v)
    return None


def write(database, rows: Rows, models: Iterable, counts: dict) -> None:
    """Insert the rows gathered so far and forget them, model by model in the order given
    (parents first), in batches, with the driver's fastest path: executemany on SQLite, COPY on
    PostgreSQL. Call it inside a transaction; `counts` adds up the rows per model name."""
    postgres = isinstance(database, PostgresqlDatabase)
    cursor = database.cursor()
    for model in models:
        data = rows.rows.get(model)
        if not data:
            continue
        names = rows.fields(model)
        fields = [model._meta.fields[n] for n in names]
        convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, not postgres))]
        columns = [f.column_name for f in fields]
        table = model._meta.table_name
        for start in range(0, len(data), BATCH):
            batch = data[start : start + BATCH]
            if convert:
                batch = [_convert(row, convert) for row in batch]
            if postgres:
                quoted = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                quoted = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', batch)
        counts[model.__name__] = counts.get(model.__name__, 0) + len(data)
        del rows.rows[model]


def continue_sequences(database, models: Iterable) -> None:
    """PostgreSQL: each table's id sequence goes on after the ids given by the load."""
    if not isinstance(database, PostgresqlDatabase):
        return
    for model in models:
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
        )


def _convert(row: tuple, convert) -> tuple:
    row = list(row)
    for index, function in convert:
        row[index] = function(row[index])
    return tuple(row)


def stamp(day: date, hour: int = 18, minute: int = 0) -> datetime:
    """A recorded time on a day (naive UTC, as the app stores them), the same at every run."""
    return datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001 (naive UTC)
