"""Database-side rules for grids, so no writer (admin, import, SQL) can bypass them.

1. `grids_gridpart` holds ST_Subdivide pieces of every current grid, rebuilt whenever a grid's geometry,
   level or validity changes, and removed with the grid.
2. A grid must lie inside its community (a community or village) and inside its parent grid, and a child
   grid must belong to its parent's community. The allowed overhang for floating-point noise is
   `geogrid.containment_tolerance_m2` (default 1 m²; `ALTER DATABASE ... SET geogrid.containment_tolerance_m2`).
"""
from django.db import migrations

from geogrid.core.sqlfiles import sql_files

EXTENSIONS = r"""
CREATE EXTENSION IF NOT EXISTS postgis;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN
        CREATE EXTENSION IF NOT EXISTS pgrouting;
    ELSE
        RAISE NOTICE 'pgRouting is not installed on this server; service-circle routing will not work';
    END IF;
END $$;
"""

# After the functions (geogrid/grids/sql), the triggers that run them.
TRIGGERS = r"""
DROP TRIGGER IF EXISTS grids_sync_parts_write ON grids_grid;
CREATE TRIGGER grids_sync_parts_write AFTER INSERT OR UPDATE OF geom, level, generation_high_id ON grids_grid
    FOR EACH ROW EXECUTE FUNCTION grids_sync_parts();
DROP TRIGGER IF EXISTS grids_sync_parts_delete ON grids_grid;
CREATE TRIGGER grids_sync_parts_delete BEFORE DELETE ON grids_grid
    FOR EACH ROW EXECUTE FUNCTION grids_sync_parts();
DROP TRIGGER IF EXISTS grids_check_containment ON grids_grid;
CREATE TRIGGER grids_check_containment BEFORE INSERT OR UPDATE OF geom, community_id, parent_id, level ON grids_grid
    FOR EACH ROW EXECUTE FUNCTION grids_check_containment();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS grids_check_containment ON grids_grid;
DROP FUNCTION IF EXISTS grids_check_containment();
DROP FUNCTION IF EXISTS grids_overhang_m2(geometry, geometry);
DROP TRIGGER IF EXISTS grids_sync_parts_write ON grids_grid;
DROP TRIGGER IF EXISTS grids_sync_parts_delete ON grids_grid;
DROP FUNCTION IF EXISTS grids_sync_parts();
"""


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial"), ("areas", "0001_initial")]
    operations = [migrations.RunSQL(
        EXTENSIONS + sql_files("grids", "sync_parts.v1", "overhang_m2.v1", "check_containment.v1") + TRIGGERS,
        REVERSE_SQL)]
