"""Containment checks tolerate reprojection slivers.

A boundary that is straight in a Gauss-Krüger zone is slightly curved in CGCS2000 lon/lat, so a grid whose
vertex lies on its community's edge in the surveyor's file can stick out of it by a few millimetres after
reprojection: square metres in total along a long edge, but no wider than a hair. The overhang is refused
only when it is both larger than `geogrid.containment_tolerance_m2` (default 1 m²) and wider on average
(2 x area / perimeter) than `geogrid.containment_sliver_width_m` (default 0.05 m). Both are settable per
database: `ALTER DATABASE ... SET geogrid.containment_sliver_width_m = '0.1'`.
"""
from django.db import migrations

from geogrid.core.sqlfiles import sql_files

SQL = "DROP FUNCTION IF EXISTS grids_overhang_m2(geometry, geometry);\n" + sql_files(
    "grids", "overhang.v1", "overhang_refused.v1", "check_containment.v2")


class Migration(migrations.Migration):
    dependencies = [("grids", "0004_remove_grid_grid_generation_range_and_more")]
    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
