-- The containment trigger, English, sliver-aware. Loaded by grids 0005 and by 0006's reverse.
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
