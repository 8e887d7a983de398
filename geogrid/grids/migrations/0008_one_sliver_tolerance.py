"""The containment trigger's tolerance comes from geogrid.core.tolerances, the numbers SizingRules defaults to.

`grids_containment_tolerance()` is the one place the database keeps them: the per-database settings
(`geogrid.containment_tolerance_m2`, `geogrid.containment_sliver_width_m`) when set, else the Python constants
rendered in here. `grids_overhang_refused()` (0005) reads it instead of its own literals;
tests/test_db_refusals.py checks that the database's numbers are Python's.
"""
from importlib import import_module

from django.db import migrations

from geogrid.core.tolerances import SLIVER_AREA_M2, SLIVER_WIDTH_M


def render(area_m2: float, width_m: float) -> str:
    return f"""
CREATE OR REPLACE FUNCTION grids_containment_tolerance(OUT area_m2 double precision, OUT width_m double precision)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('geogrid.containment_tolerance_m2', true), '')::float, {float(area_m2)!r}),
           coalesce(nullif(current_setting('geogrid.containment_sliver_width_m', true), '')::float, {float(width_m)!r})
$$;

CREATE OR REPLACE FUNCTION grids_overhang_refused(inner_geom geometry, outer_geom geometry)
RETURNS double precision LANGUAGE plpgsql STABLE AS $$
DECLARE
    tolerance record;
    o record;
BEGIN
    tolerance := grids_containment_tolerance();
    o := grids_overhang(inner_geom, outer_geom);
    IF o.area_m2 > tolerance.area_m2 AND o.width_m > tolerance.width_m THEN
        RETURN o.area_m2;
    END IF;
    RETURN NULL;
END $$;
"""


# Back to 0005's grids_overhang_refused(), with its own literals (1 m², 5 cm), cut out of 0005's script.
_0005 = import_module("geogrid.grids.migrations.0005_containment_slivers").SQL
REVERSE_SQL = (_0005[_0005.index("CREATE OR REPLACE FUNCTION grids_overhang_refused"):
                     _0005.index("CREATE OR REPLACE FUNCTION grids_check_containment")]
               + "DROP FUNCTION IF EXISTS grids_containment_tolerance();\n")


class Migration(migrations.Migration):
    dependencies = [("grids", "0007_chinese_guards")]
    operations = [migrations.RunSQL(render(SLIVER_AREA_M2, SLIVER_WIDTH_M), REVERSE_SQL)]
