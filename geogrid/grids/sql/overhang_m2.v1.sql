-- Overhang of one geometry out of another, m². Loaded by grids 0002, dropped by 0005 (overhang.v1).
CREATE OR REPLACE FUNCTION grids_overhang_m2(inner_geom geometry, outer_geom geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ST_CoveredBy(inner_geom, outer_geom) THEN 0
                ELSE ST_Area(ST_Difference(inner_geom, outer_geom)::geography) END
$$;
