"""Containment checks tolerate reprojection slivers.

A boundary that is straight in a Gauss-Krüger zone is slightly curved in CGCS2000 lon/lat, so a grid whose
vertex lies on its community's edge in the surveyor's file can stick out of it by a few millimetres after
reprojection: square metres in total along a long edge, but no wider than a hair. The overhang is refused
only when it is both larger than `geogrid.containment_tolerance_m2` (default 1 m²) and wider on average
(2 x area / perimeter) than `geogrid.containment_sliver_width_m` (default 0.05 m). Both are settable per
database: `ALTER DATABASE ... SET geogrid.containment_sliver_width_m = '0.1'`.
"""
from django.db import migrations

SQL = r"""
DROP FUNCTION IF EXISTS grids_overhang_m2(geometry, geometry);

CREATE OR REPLACE FUNCTION grids_overhang(inner_geom geometry, outer_geom geometry,
                                          OUT area_m2 double precision, OUT width_m double precision)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    outside geography;
BEGIN
    area_m2 := 0;
    width_m := 0;
    IF ST_CoveredBy(inner_geom, outer_geom) THEN
        RETURN;
    END IF;
    outside := ST_Difference(inner_geom, outer_geom)::geography;
    area_m2 := ST_Area(outside);
    width_m := CASE WHEN ST_Perimeter(outside) > 0 THEN 2 * area_m2 / ST_Perimeter(outside) ELSE 0 END;
END $$;

CREATE OR REPLACE FUNCTION grids_overhang_refused(inner_geom geometry, outer_geom geometry)
RETURNS double precision LANGUAGE plpgsql STABLE AS $$
DECLARE
    max_area double precision := coalesce(nullif(current_setting('geogrid.containment_tolerance_m2', true), '')::float, 1.0);
    max_width double precision := coalesce(nullif(current_setting('geogrid.containment_sliver_width_m', true), '')::float, 0.05);
    o record;
BEGIN
    o := grids_overhang(inner_geom, outer_geom);
    IF o.area_m2 > max_area AND o.width_m > max_width THEN
        RETURN o.area_m2;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION grids_check_containment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    community areas_area%ROWTYPE;
    parent grids_grid%ROWTYPE;
    overhang double precision;
BEGIN
    SELECT * INTO community FROM areas_area WHERE id = NEW.community_id;
    IF community.kind NOT IN ('community', 'village') THEN
        RAISE EXCEPTION 'grid % belongs to % (%), which is not a community or village', NEW.code, community.name, community.kind
            USING ERRCODE = 'check_violation';
    END IF;
    overhang := grids_overhang_refused(NEW.geom, community.geom);
    IF overhang IS NOT NULL THEN
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
        overhang := grids_overhang_refused(NEW.geom, parent.geom);
        IF overhang IS NOT NULL THEN
            RAISE EXCEPTION 'grid % extends % m² outside its parent grid %', NEW.code, round(overhang::numeric, 1), parent.code
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("grids", "0004_remove_grid_grid_generation_range_and_more")]
    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
