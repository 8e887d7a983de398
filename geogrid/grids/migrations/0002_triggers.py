"""Database-side rules for grids, so no writer (admin, import, SQL) can bypass them.

1. `grids_gridpart` holds ST_Subdivide pieces of every current grid, rebuilt whenever a grid's geometry,
   level or validity changes, and removed with the grid.
2. A grid must lie inside its community (a community or village) and inside its parent grid, and a child
   grid must belong to its parent's community. The allowed overhang for floating-point noise is
   `geogrid.containment_tolerance_m2` (default 1 m²; `ALTER DATABASE ... SET geogrid.containment_tolerance_m2`).
"""
from django.db import migrations

SQL = r"""
CREATE EXTENSION IF NOT EXISTS postgis;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN
        CREATE EXTENSION IF NOT EXISTS pgrouting;
    ELSE
        RAISE NOTICE 'pgRouting is not installed on this server; service-circle routing will not work';
    END IF;
END $$;


CREATE OR REPLACE FUNCTION grids_sync_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM grids_gridpart WHERE grid_id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM grids_gridpart WHERE grid_id = OLD.id;
    END IF;
    IF NEW.generation_high_id IS NULL THEN
        INSERT INTO grids_gridpart (grid_id, level, geom)
        SELECT NEW.id, NEW.level, d.geom
        FROM ST_Subdivide(NEW.geom, 64) AS s(geom), LATERAL ST_Dump(s.geom) AS d
        WHERE GeometryType(d.geom) = 'POLYGON';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS grids_sync_parts_write ON grids_grid;
CREATE TRIGGER grids_sync_parts_write AFTER INSERT OR UPDATE OF geom, level, generation_high_id ON grids_grid
    FOR EACH ROW EXECUTE FUNCTION grids_sync_parts();
DROP TRIGGER IF EXISTS grids_sync_parts_delete ON grids_grid;
CREATE TRIGGER grids_sync_parts_delete BEFORE DELETE ON grids_grid
    FOR EACH ROW EXECUTE FUNCTION grids_sync_parts();

CREATE OR REPLACE FUNCTION grids_overhang_m2(inner_geom geometry, outer_geom geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ST_CoveredBy(inner_geom, outer_geom) THEN 0
                ELSE ST_Area(ST_Difference(inner_geom, outer_geom)::geography) END
$$;

CREATE OR REPLACE FUNCTION grids_check_containment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tolerance double precision := coalesce(nullif(current_setting('geogrid.containment_tolerance_m2', true), '')::float, 1.0);
    community areas_area%ROWTYPE;
    parent grids_grid%ROWTYPE;
    overhang double precision;
BEGIN
    SELECT * INTO community FROM areas_area WHERE id = NEW.community_id;
    IF community.kind NOT IN ('community', 'village') THEN
        RAISE EXCEPTION 'grid % belongs to % (%), which is not a community or village', NEW.code, community.name, community.kind
            USING ERRCODE = 'check_violation';
    END IF;
    overhang := grids_overhang_m2(NEW.geom, community.geom);
    IF overhang > tolerance THEN
        RAISE EXCEPTION 'grid % extends % m² outside its community % (%)', NEW.code, round(overhang::numeric, 1), community.name, community.code
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM grids_grid WHERE id = NEW.parent_id;
        IF parent.level <> NEW.level - 1 THEN
            RAISE EXCEPTION 'grid % of level % has parent % of level %', NEW.code, NEW.level, parent.code, parent.level
                USING ERRCODE = 'check_violation';
        END IF;
        IF parent.community_id <> NEW.community_id THEN
            RAISE EXCEPTION 'grid % is in another community than its parent %', NEW.code, parent.code
                USING ERRCODE = 'check_violation';
        END IF;
        overhang := grids_overhang_m2(NEW.geom, parent.geom);
        IF overhang > tolerance THEN
            RAISE EXCEPTION 'grid % extends % m² outside its parent grid %', NEW.code, round(overhang::numeric, 1), parent.code
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

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
    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
