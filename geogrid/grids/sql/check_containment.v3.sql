-- The containment trigger refusing in Chinese with each rule's code (the refuse placeholders, filled from
-- geogrid.core.refusals: see geogrid/core/sqlfiles.py). Loaded by grids 0006.
CREATE OR REPLACE FUNCTION grids_check_containment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    community areas_area%ROWTYPE;
    parent grids_grid%ROWTYPE;
    overhang double precision;
BEGIN
    SELECT * INTO community FROM areas_area WHERE id = NEW.community_id;
    IF community.kind NOT IN ('community', 'village') THEN
        {{ refuse grid_not_in_community_area
           errcode => check_violation
           grid => NEW.code
           area => community.name
           area_code => community.code }}
    END IF;
    overhang := grids_overhang_refused(NEW.geom, community.geom);
    IF overhang IS NOT NULL THEN
        {{ refuse grid_outside_community
           errcode => check_violation
           grid => NEW.code
           community => community.name
           community_code => community.code
           area_m2 => round(overhang::numeric, 1) }}
    END IF;
    IF NEW.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM grids_grid WHERE id = NEW.parent_id;
        IF parent.level <> NEW.level - 1 THEN
            {{ refuse grid_parent_level
               errcode => check_violation
               grid => NEW.code
               level => NEW.level
               parent => parent.code
               parent_level => parent.level
               expected => NEW.level - 1 }}
        END IF;
        IF parent.community_id <> NEW.community_id THEN
            {{ refuse grid_parent_other_community
               errcode => check_violation
               grid => NEW.code
               parent => parent.code }}
        END IF;
        overhang := grids_overhang_refused(NEW.geom, parent.geom);
        IF overhang IS NOT NULL THEN
            {{ refuse grid_outside_parent
               errcode => check_violation
               grid => NEW.code
               parent => parent.code
               area_m2 => round(overhang::numeric, 1) }}
        END IF;
    END IF;
    RETURN NEW;
END $$;
