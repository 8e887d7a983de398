-- Overhang area (m²) and mean width (2 x area / perimeter, m). Loaded by grids 0005.
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
