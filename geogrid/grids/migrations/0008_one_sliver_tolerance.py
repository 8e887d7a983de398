"""The containment trigger's tolerance comes from geogrid.core.tolerances, the numbers SizingRules defaults to.

`grids_containment_tolerance()` is the one place the database keeps them: the per-database settings
(`geogrid.containment_tolerance_m2`, `geogrid.containment_sliver_width_m`) when set, else the Python constants
its file names (containment_tolerance.v1.sql). `grids_overhang_refused()` (v2) reads it instead of its own
literals; tests/test_db_refusals.py checks that the database's numbers are Python's.
"""
from django.db import migrations

from geogrid.core.sqlfiles import sql_file, sql_files


class Migration(migrations.Migration):
    dependencies = [("grids", "0007_chinese_guards")]
    # Back to 0005's grids_overhang_refused(), with its own literals (1 m², 5 cm).
    operations = [migrations.RunSQL(
        sql_files("grids", "containment_tolerance.v1", "overhang_refused.v2"),
        sql_file("grids", "overhang_refused.v1") + "DROP FUNCTION IF EXISTS grids_containment_tolerance();\n")]
