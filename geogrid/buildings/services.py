"""Writes that keep buildings and grid counts consistent (以房定户).

Both functions are set-based SQL over the whole layer (or, after adding buildings, over the new ones), so
they stay fast for a county.
"""
from django.db import connection, transaction

# The finest grid covering the point (lowest code on a shared boundary), then its parent chain: the same
# rule as the point lookup, so a building is never counted under one grid and another grid's child.
PLACE_SQL = """
WITH finest AS (
    SELECT DISTINCT ON (b.id) b.id AS building_id, g.id AS grid_id, g.level, g.parent_id
    FROM buildings_building b
    JOIN grids_gridpart p ON ST_Intersects(p.geom, b.point)
    JOIN grids_grid g ON g.id = p.grid_id
    WHERE TRUE {only}
    ORDER BY b.id, g.level DESC, g.code
),
placed AS (
    SELECT b.id,
           CASE f.level WHEN 3 THEN f.grid_id END AS l3,
           CASE f.level WHEN 3 THEN f.parent_id WHEN 2 THEN f.grid_id END AS l2,
           CASE f.level WHEN 3 THEN (SELECT parent_id FROM grids_grid WHERE id = f.parent_id)
                        WHEN 2 THEN f.parent_id ELSE f.grid_id END AS l1
    FROM buildings_building b LEFT JOIN finest f ON f.building_id = b.id
    WHERE TRUE {only}
)
UPDATE buildings_building b SET grid_l1_id = placed.l1, grid_l2_id = placed.l2, grid_l3_id = placed.l3
FROM placed
WHERE placed.id = b.id AND (b.grid_l1_id, b.grid_l2_id, b.grid_l3_id) IS DISTINCT FROM (placed.l1, placed.l2, placed.l3)
"""

COMMUNITY_SQL = """
UPDATE buildings_building b SET community_id = g.community_id
FROM grids_grid g WHERE g.id = b.grid_l1_id AND b.community_id IS DISTINCT FROM g.community_id {only}
"""

POINT_ON_SURFACE_SQL = """
UPDATE buildings_building b SET point = ST_PointOnSurface(footprint)
WHERE footprint IS NOT NULL AND NOT ST_Intersects(point, footprint) {only}
"""

# Restricts the statements above to some buildings: a hashed semi-join with the ids, not `id = ANY(...)`
# (which tests every row against the whole array: 100,000 new buildings took a minute that way).
ONLY = "AND b.id IN (SELECT unnest(%(ids)s::bigint[]))"

COUNTS_SQL = """
UPDATE grids_grid g SET
    building_count = coalesce(c.buildings, 0),
    household_count = coalesce(c.households, 0),
    resident_household_count = coalesce(c.resident_households, 0),
    population = coalesce(c.population, 0)
FROM grids_grid g2
LEFT JOIN (
    SELECT grid_id, count(*) AS buildings, sum(households) AS households,
           sum(resident_households) AS resident_households, sum(population) AS population
    FROM (
        SELECT grid_l1_id AS grid_id, households, resident_households, population FROM buildings_building
        UNION ALL SELECT grid_l2_id, households, resident_households, population FROM buildings_building
        UNION ALL SELECT grid_l3_id, households, resident_households, population FROM buildings_building
    ) placed
    WHERE grid_id IS NOT NULL
    GROUP BY grid_id
) c ON c.grid_id = g2.id
WHERE g.id = g2.id AND g2.generation_high_id IS NULL
"""


@transaction.atomic
def place_buildings(building_ids: list[int] | None = None) -> None:
    """Put every building (or only these new ones: grids did not change) in the current grids containing
    its point-on-surface, one per level, then recount the grids.

    Only rows whose placement changes are written, and concurrent calls queue on an advisory lock instead
    of deadlocking on each other's row locks.
    """
    only = "" if building_ids is None else ONLY
    params = {"ids": building_ids or []}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('geogrid.place_buildings'))")
        for sql in (POINT_ON_SURFACE_SQL, PLACE_SQL, COMMUNITY_SQL):
            cursor.execute(sql.format(only=only), params)
    refresh_grid_counts()


def refresh_grid_counts() -> None:
    """Recompute building, household and population counts of every current grid from its buildings."""
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL)
