"""Helpers for import/export tests: write small files with pyogrio and fingerprint the data tables."""
from pathlib import Path

import numpy as np
import shapely
from django.db import connection
from pyogrio.raw import write

DATA_TABLES = ("areas_area", "grids_grid", "grids_gridpart", "buildings_building", "departments_businessgrid",
               "stations_servicestation", "staff_staffmember", "staff_staffmember_grids", "core_generation",
               "grids_gridaudit", "buildings_buildingaudit")


def fingerprint() -> dict[str, str]:
    """An md5 of every data table's full contents: equal fingerprints mean byte-for-byte equal data."""
    result = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            result[table] = cursor.fetchone()[0]
    return result


def write_layer(path: Path, geometries: list, fields: dict[str, list], *, crs: str | None, encoding: str | None = None,
                geometry_type: str | None = None, driver: str | None = None) -> Path:
    """Write features (shapely geometries or None) with attribute columns to a file GDAL understands."""
    wkb = np.array([None if g is None else shapely.to_wkb(g) for g in geometries], dtype=object)
    kinds = {g.geom_type for g in geometries if g is not None}
    gtype = geometry_type or (kinds.pop() if len(kinds) == 1 else "Unknown")
    columns = [np.array(v, dtype=object) for v in fields.values()]
    write(str(path), wkb, columns, list(fields), geometry_type=gtype, crs=crs, encoding=encoding, driver=driver)
    return path
