"""The grid rules refuse in Chinese, each with its stable code (geogrid/core/refusals.py).

Same checks as 0005, in the same order; only the words change: each RAISE is rendered from its `Rule`, with
the Chinese message as MESSAGE, the code as DETAIL and SQLSTATE `check_violation` as before.
"""
from importlib import import_module

from django.db import migrations

from geogrid.core import refusals as r

SQL = f"""
CREATE OR REPLACE FUNCTION grids_check_containment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    community areas_area%ROWTYPE;
    parent grids_grid%ROWTYPE;
    overhang double precision;
BEGIN
    SELECT * INTO community FROM areas_area WHERE id = NEW.community_id;
    IF community.kind NOT IN ('community', 'village') THEN
        {r.GRID_NOT_IN_COMMUNITY_AREA.raise_sql(errcode="check_violation", grid="NEW.code", area="community.name",
                                                area_code="community.code")}
    END IF;
    overhang := grids_overhang_refused(NEW.geom, community.geom);
    IF overhang IS NOT NULL THEN
        {r.GRID_OUTSIDE_COMMUNITY.raise_sql(errcode="check_violation", grid="NEW.code", community="community.name",
                                            community_code="community.code",
                                            area_m2="round(overhang::numeric, 1)")}
    END IF;
    IF NEW.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM grids_grid WHERE id = NEW.parent_id;
        IF parent.level <> NEW.level - 1 THEN
            {r.GRID_PARENT_LEVEL.raise_sql(errcode="check_violation", grid="NEW.code", level="NEW.level",
                                           parent="parent.code", parent_level="parent.level",
                                           expected="NEW.level - 1")}
        END IF;
        IF parent.community_id <> NEW.community_id THEN
            {r.GRID_PARENT_OTHER_COMMUNITY.raise_sql(errcode="check_violation", grid="NEW.code",
                                                     parent="parent.code")}
        END IF;
        overhang := grids_overhang_refused(NEW.geom, parent.geom);
        IF overhang IS NOT NULL THEN
            {r.GRID_OUTSIDE_PARENT.raise_sql(errcode="check_violation", grid="NEW.code", parent="parent.code",
                                             area_m2="round(overhang::numeric, 1)")}
        END IF;
    END IF;
    RETURN NEW;
END $$;
"""

# Back to 0005's English function (its SQL is idempotent: CREATE OR REPLACE, DROP ... IF EXISTS).
REVERSE_SQL = import_module("geogrid.grids.migrations.0005_containment_slivers").SQL


class Migration(migrations.Migration):
    dependencies = [("grids", "0005_containment_slivers")]
    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
