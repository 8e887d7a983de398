-- The overhang the trigger refuses, by grids_containment_tolerance(). Loaded by grids 0008.
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
