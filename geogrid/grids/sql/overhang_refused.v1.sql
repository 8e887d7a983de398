-- The overhang the trigger refuses, with literal defaults. Loaded by grids 0005 and by 0008's reverse.
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
