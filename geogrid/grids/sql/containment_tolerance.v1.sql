-- The sliver tolerance the database uses: the per-database settings, else geogrid.core.tolerances.
-- Loaded by grids 0008.
CREATE OR REPLACE FUNCTION grids_containment_tolerance(OUT area_m2 double precision, OUT width_m double precision)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('geogrid.containment_tolerance_m2', true), '')::float, {{ constant geogrid.core.tolerances.SLIVER_AREA_M2 }}),
           coalesce(nullif(current_setting('geogrid.containment_sliver_width_m', true), '')::float, {{ constant geogrid.core.tolerances.SLIVER_WIDTH_M }})
$$;
