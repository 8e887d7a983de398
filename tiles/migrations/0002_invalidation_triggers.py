"""Tile-cache invalidation by statement-level triggers on every table a vector tileset is drawn from.

Each trigger sees the rows its statement changed as transition tables (OLD TABLE / NEW TABLE), takes the
geometries they had before and after, and deletes the cached tiles of the affected tilesets whose envelope
meets one of them: exactly the tiles the edit touched, inside the writer's own transaction, whoever the
writer is (import, admin, raw SQL). An UPDATE that changes none of the columns a tileset draws (e.g. the
derived household counts of grids) touches no tile. A trigger with transition tables serves one event, so
there is one per INSERT, UPDATE and DELETE; TRUNCATE (the demo reset) empties the tilesets' caches.

Besides the tables drawn, the tables a tileset's *scope* goes through are watched too: an area whose code
changes moves its grids, buildings, stations, events and departments' business grids to another scope.

Order matters for concurrent tile writers (see `TilesetEpoch`): the trigger first raises the tilesets'
epochs (row locks held until the edit commits), then deletes, so a writer that rendered before the edit
either sees the new epoch, finds the epoch locked, or had committed its tile before the delete looked.
The django-pghistory audit triggers on the same tables are left alone.
"""
from django.db import migrations

GRIDS = "{grids-1,grids-2,grids-3}"
SCOPED = "{areas,grids-1,grids-2,grids-3,buildings,business-grids,stations,events}"

# (table, trigger name part, events, tilesets, geometry of a changed row `r`, columns the tiles draw)
WATCHES = [
    ("areas_area", "draw", "IUD", "{areas}", "r.geom", "r.code, r.name, r.kind, r.geom"),
    ("areas_area", "scope", "U", SCOPED, "r.geom", "r.code"),
    ("grids_grid", "draw", "IUD", GRIDS,
     "r.geom", "r.geom, r.code, r.name, r.level, r.kind, r.exclusive_type, r.community_id, r.generation_high_id"),
    ("grids_grid", "scope", "U", "{events}", "r.geom", "r.community_id"),
    ("buildings_building", "draw", "IUD", "{buildings}",
     "coalesce(r.footprint, r.point)", "r.footprint, r.point, r.use, r.floors, r.community_id"),
    ("departments_businessgrid", "draw", "IUD", "{business-grids}",
     "r.geom", "r.geom, r.code, r.name, r.department_id, r.generation_high_id"),
    ("departments_department", "draw", "U", "{business-grids}",
     "(SELECT ST_Collect(bg.geom) FROM departments_businessgrid bg WHERE bg.department_id = r.id)",
     "r.code, r.name, r.area_id"),
    ("stations_servicestation", "draw", "IUD", "{stations}", "r.point", "r.point, r.name, r.kind, r.community_id"),
    ("events_event", "draw", "IUD", "{events}", "r.location", "r.location, r.status, r.category_id, r.grid_id"),
    ("events_eventcategory", "draw", "U", "{events}",
     "(SELECT ST_Collect(e.location) FROM events_event e WHERE e.category_id = r.id)", "r.name"),
    ("roads_road", "draw", "IUD", "{basemap}", "r.geom", "r.geom, r.name, r.kind"),
    ("roads_water", "draw", "IUD", "{basemap}", "r.geom", "r.geom, r.name"),
]
TILESETS = ["basemap", "buildings", "areas", "grids-1", "grids-2", "grids-3", "business-grids", "stations", "events"]
EVENTS = {"I": ("insert", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
          "U": ("update", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
          "D": ("delete", "DELETE", "REFERENCING OLD TABLE AS old_rows")}

FUNCTIONS = r"""
-- TG_ARGV: [0] the tilesets (a text[] literal), [1] the geometry of a changed row `r` (EPSG:4490),
-- [2] the columns the tilesets draw (an UPDATE changing none of them touches no tile).
CREATE OR REPLACE FUNCTION tiles_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tilesets text[] := TG_ARGV[0]::text[];
    touched geometry;  -- every changed geometry, collected
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT ST_Collect(g) FROM (SELECT %s AS g FROM new_rows r) c', TG_ARGV[1]) INTO touched;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT ST_Collect(g) FROM (SELECT %s AS g FROM old_rows r) c', TG_ARGV[1]) INTO touched;
    ELSE
        EXECUTE format(
            'SELECT ST_Collect(v.g) FROM '
            '(SELECT r.id, %1$s AS g, ROW(%2$s) AS drawn FROM old_rows r) o '
            'JOIN (SELECT r.id, %1$s AS g, ROW(%2$s) AS drawn FROM new_rows r) n USING (id) '
            'CROSS JOIN LATERAL (VALUES (o.g), (n.g)) AS v(g) '
            'WHERE o.drawn IS DISTINCT FROM n.drawn',
            TG_ARGV[1], TG_ARGV[2]) INTO touched;
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE tiles_tilesetepoch SET epoch = epoch + 1 WHERE tileset = ANY(tilesets);
    -- One collection rather than a probe per row: the index finds the tiles inside its box, and PostGIS
    -- prepares the collection once (an STRtree) for testing each of them, so a 50,000-row import costs
    -- about what one edit does.
    DELETE FROM tiles_tile t WHERE t.tileset = ANY(tilesets) AND ST_Intersects(t.envelope, touched);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tiles_invalidate_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tiles_tilesetepoch SET epoch = epoch + 1 WHERE tileset = ANY(TG_ARGV[0]::text[]);
    DELETE FROM tiles_tile WHERE tileset = ANY(TG_ARGV[0]::text[]);
    RETURN NULL;
END $$;
"""


def _triggers() -> tuple[str, str]:
    create, drop = [FUNCTIONS], []
    epochs = ", ".join(f"('{name}', 0)" for name in TILESETS)
    create.append(f"INSERT INTO tiles_tilesetepoch (tileset, epoch) VALUES {epochs} ON CONFLICT (tileset) DO NOTHING;")
    truncates: dict[str, set[str]] = {}
    for table, part, events, tilesets, geom, columns in WATCHES:
        truncates.setdefault(table, set()).update(tilesets.strip("{}").split(","))
        assert "'" not in geom + columns, "trigger arguments are quoted as plain SQL strings"
        for event in events:
            suffix, verb, referencing = EVENTS[event]
            name = f"tiles_{part}_{suffix}"
            create.append(
                f"CREATE TRIGGER {name} AFTER {verb} ON {table} {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION tiles_invalidate('{tilesets}', '{geom}', "
                f"'{columns}');")
            drop.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    for table, tilesets in truncates.items():
        create.append(f"CREATE TRIGGER tiles_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
                      f"EXECUTE FUNCTION tiles_invalidate_all('{{{','.join(sorted(tilesets))}}}');")
        drop.append(f"DROP TRIGGER IF EXISTS tiles_truncate ON {table};")
    drop += ["DROP FUNCTION IF EXISTS tiles_invalidate();", "DROP FUNCTION IF EXISTS tiles_invalidate_all();",
             "DELETE FROM tiles_tilesetepoch;"]
    return "\n".join(create), "\n".join(drop)


SQL, REVERSE_SQL = _triggers()


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0001_initial"),
        ("areas", "0002_areaaudit_area_insert_insert_area_update_update_and_more"),
        ("grids", "0005_containment_slivers"),
        ("buildings", "0002_buildingaudit_building_insert_insert_and_more"),
        ("departments", "0003_businessgrid_departments_businessgrid_generation_range"),
        ("events", "0002_eventaudit_eventcategoryaudit_event_insert_insert_and_more"),
        ("stations", "0002_servicestationaudit_servicestation_insert_insert_and_more"),
        ("roads", "0002_roadaudit_wateraudit_road_insert_insert_and_more"),
    ]
    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
