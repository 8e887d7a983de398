"""Writes that keep buildings and grid counts consistent (以房定户).

Both functions are set-based SQL: one UPDATE for the whole layer, so they stay fast for a county.
"""
from django.db import connection, transaction

PLACE_SQL = """
UPDATE buildings_building b SET
    grid_l1_id = (SELECT p.grid_id FROM grids_gridpart p JOIN grids_grid g ON g.id = p.grid_id
                  WHERE p.level = 1 AND ST_Intersects(p.geom, b.point) ORDER BY g.code LIMIT 1),
    grid_l2_id = (SELECT p.grid_id FROM grids_gridpart p JOIN grids_grid g ON g.id = p.grid_id
                  WHERE p.level = 2 AND ST_Intersects(p.geom, b.point) ORDER BY g.code LIMIT 1),
    grid_l3_id = (SELECT p.grid_id FROM grids_gridpart p JOIN grids_grid g ON g.id = p.grid_id
                  WHERE p.level = 3 AND ST_Intersects(p.geom, b.point) ORDER BY g.code LIMIT 1)
"""

COMMUNITY_SQL = """
UPDATE buildings_building b SET community_id = g.community_id
FROM grids_grid g WHERE g.id = b.grid_l1_id AND b.community_id IS DISTINCT FROM g.community_id
"""

POINT_ON_SURFACE_SQL = """
UPDATE buildings_building SET point = ST_PointOnSurface(footprint)
WHERE footprint IS NOT NULL AND NOT ST_Intersects(point, footprint)
"""

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
def place_buildings() -> None:
    """Put every building in the current grid of each level containing its point-on-surface.

    A point on a shared boundary goes to the lowest grid code, the same rule as the point lookup.
    """
    with connection.cursor() as cursor:
        cursor.execute(POINT_ON_SURFACE_SQL)
        cursor.execute(PLACE_SQL)
        cursor.execute(COMMUNITY_SQL)
    refresh_grid_counts()


def refresh_grid_counts() -> None:
    """Recompute building, household and population counts of every current grid from its buildings."""
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL)
