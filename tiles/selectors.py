"""Reads: rendering vector tiles in PostGIS, the tile cache, and what the map needs to know to draw its layers."""
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.db.models import Extent
from django.db import connection
from django.db.models import Count

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.departments.models import BusinessGrid
from geogrid.events.selectors import events_visible_to
from geogrid.grids.selectors import grids_visible_to
from geogrid.stations.models import ServiceStation
from tiles.coords import MARGIN, TileCoord
from tiles.layers import ENVELOPE_SQL, SIMPLIFY_PX, TILESETS, Tileset, raster_sources
from tiles.raster import raster_bounds, raster_problem

# The tile's envelope twice: in Web Mercator for ST_AsMVTGeom, and grown by the MVT buffer in the data's own
# SRID (CGCS2000) for the index filter, so the stored geometries are never transformed to be searched. The
# cache stores the second one; the invalidation triggers test against it.
BOUNDS_CTE = f"""WITH tile_bounds AS MATERIALIZED (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env3857, {ENVELOPE_SQL} AS env)"""

CACHED_SQL = "SELECT data FROM tiles_tile WHERE tileset = %s AND scope = %s AND z = %s AND x = %s AND y = %s"


def tile_scope(user: User | AnonymousUser, tileset: Tileset) -> str | None:
    """The cache scope of the user's tiles of this tileset: None when the user may see nothing, "" for a
    public tileset (one copy for everyone) and for superusers, otherwise the user's area-code prefix."""
    prefix = area_code_prefix(user)
    if prefix is None:
        return None
    if tileset.areas_only and not user.is_superuser and getattr(scope_of(user), "department_id", None):
        return None
    return "" if tileset.public else prefix


@lru_cache(maxsize=256)
def tile_sql(tileset: Tileset, z: int) -> str:
    """The one statement rendering the tileset's sources shown at zoom `z` (MVT layers concatenate)."""
    sources = tileset.sources_at(z)
    if not sources:
        return "SELECT ''::bytea"
    return BOUNDS_CTE + "\nSELECT " + "\n    || ".join(source.sql() for source in sources)


def tile_params(tile: TileCoord, scope: str = "") -> dict:
    """The bound parameters of `tile_sql` and `ENVELOPE_SQL`."""
    return {"z": tile.z, "x": tile.x, "y": tile.y, "margin": MARGIN, "tolerance": tile.pixel_m * SIMPLIFY_PX,
            "prefix": scope, "prefix_like": scope + "%"}


def render_vector_tile(tileset: Tileset, tile: TileCoord, scope: str) -> bytes:
    """The tile as PostGIS draws it now, bypassing the cache."""
    with connection.cursor() as cursor:
        cursor.execute(tile_sql(tileset, tile.z), tile_params(tile, scope))
        return bytes(cursor.fetchone()[0])


def cached_tile(tileset: str, scope: str, tile: TileCoord, source: str | None = None) -> bytes | None:
    """The cached tile, or None. `source`: only a tile drawn from this version of its source file."""
    sql, params = CACHED_SQL, [tileset, scope, tile.z, tile.x, tile.y]
    if source is not None:
        sql, params = sql + " AND source = %s", [*params, source]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else bytes(row[0])


def tileset_epoch(tileset: str) -> int | None:
    """The tileset's invalidation counter (see `tiles.models.TilesetEpoch`); None if it has none."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch FROM tiles_tilesetepoch WHERE tileset = %s", [tileset])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _visible(queryset, code_path: str, prefix: str | None):
    if prefix is None:
        return queryset.none()
    return queryset if prefix == "" else queryset.filter(**{f"{code_path}__startswith": prefix})


def map_catalogue(user: User | AnonymousUser, tile_url: Callable[[str], str],
                  raster_url: Callable[[str], str]) -> dict:
    """What the web map needs to draw the user's layers: tile URL templates with their zoom ranges, how many
    features each overlay holds for this user (for the layer switcher), the departments whose business
    grids the user sees, the extent to open on, the rasters that can be served, and the online basemaps the settings allow (none by
    default). `tile_url`/`raster_url` turn a tileset name into its URL template."""
    prefix = area_code_prefix(user)
    grids = grids_visible_to(user)
    extent = grids.aggregate(extent=Extent("geom"))["extent"]
    counts = {f"grids-{level}": grids.filter(level=level).count() for level in (1, 2, 3)}
    counts["stations"] = _visible(ServiceStation.objects.all(), "community__code", prefix).count()
    counts["events"] = 0 if tile_scope(user, TILESETS["events"]) is None else events_visible_to(user).filter(
        location__isnull=False, merged_into__isnull=True).count()
    business = _visible(BusinessGrid.objects.current(), "department__area__code", prefix)
    departments = [{"code": row["department__code"], "name": row["department__name"], "count": row["count"]}
                   for row in business.values("department__code", "department__name")
                   .annotate(count=Count("id")).order_by("department__code")]
    return {
        "bounds": [round(v, 7) for v in extent] if extent else None,
        "vector": {name: {"url": tile_url(name), "label": t.label, "minzoom": t.minzoom, "maxzoom": t.maxzoom}
                   for name, t in TILESETS.items()},
        "raster": {name: {"url": raster_url(name), "label": r.label, "minzoom": r.minzoom, "maxzoom": r.maxzoom,
                          "bounds": raster_bounds(r)}
                   for name, r in raster_sources().items() if raster_problem(r) is None},
        "counts": counts,
        "departments": departments,
        "online_basemaps": [{"name": b["name"], "url": b["url"], "attribution": b.get("attribution", ""),
                             "subdomains": b.get("subdomains", "abc"), "max_zoom": b.get("max_zoom", 18),
                             "overlay_url": b.get("overlay_url")}
                            for b in settings.GEOGRID_ONLINE_BASEMAPS],
    }
