-- grids_gridpart follows every current grid (ST_Subdivide pieces). Loaded by grids migration 0002.
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
