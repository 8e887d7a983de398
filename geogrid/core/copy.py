"""Bulk inserts with PostgreSQL's COPY: for imports of tens of thousands of rows.

`bulk_create` builds one huge INSERT statement in Python (about 0.3 ms a row for a building, most of the
import's time); COPY streams the rows and leaves the work to the server. Row triggers (the audit trail) and
constraints still run for every row, so nothing is skipped that an INSERT would do.
"""
from collections.abc import Sequence

import numpy as np
import shapely
from django.db import connection, models

STORAGE_SRID = 4490


def ewkb(geometries: Sequence[shapely.Geometry | None]) -> list[str | None]:
    """Hex EWKB with the storage SRID, the text COPY accepts for a geometry column."""
    array = shapely.set_srid(np.asarray(geometries, dtype=object), STORAGE_SRID)
    return list(shapely.to_wkb(array, hex=True, include_srid=True))


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert `rows` (values in the order of `fields`) into the model's table; returns the new primary keys
    in row order. Keys are taken from the table's sequence first, so the caller can link to the rows."""
    if not rows:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    columns = [model._meta.get_field(name).column for name in fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(connection.ops.quote_name(c) for c in [pk, *columns])
        with cursor.connection.cursor().copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
            for key, row in zip(ids, rows):
                copy.write_row((key, *row))
    return ids
