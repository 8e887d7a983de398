"""Small helpers shared by tests: facts about the demo town asked straight from PostGIS, and real photos."""
import io

from django.db import connection
from PIL import Image


def one(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


def homes(area: str | None = None) -> tuple[int, int]:
    """Buildings with households, and their households, in the demo town or in one street, community or
    village (by code): asked through the areas' parent links, not the code prefixes the app filters by."""
    buildings, households = one("""
        SELECT count(*), coalesce(sum(b.households), 0) FROM buildings_building b
        JOIN areas_area c ON c.id = b.community_id JOIN areas_area s ON s.id = c.parent_id
        WHERE b.households > 0 AND (%s::text IS NULL OR %s IN (c.code, s.code))
    """, [area, area])
    return buildings, households


def interior_point_of(code: str) -> tuple[float, float]:
    """A point well inside the current grid with this code (ST_PointOnSurface)."""
    return one(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids_grid "
        "WHERE code = %s AND generation_high_id IS NULL) s",
        [code],
    )


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    """A real picture in `fmt` (as Pillow names formats), decodable in full: what a phone uploads."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()
