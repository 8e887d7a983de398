"""The whitelist of tile layers: nothing from a URL reaches SQL except a name looked up here and bound numbers.

A vector *tileset* (`/tiles/<name>/{z}/{x}/{y}.mvt`) is one or more *sources*, each an MVT layer drawn from
one table by PostGIS. Each source says which rows a user may see through `scope_code`, the SQL of the area
code a row belongs to, matched against `geogrid.accounts.selectors.area_code_prefix` exactly as
`geogrid.grids.selectors.grids_visible_to` does (None: nothing, "": everything). Sources without one are
public linework (roads, water): every logged-in user with a scope sees the same tiles, cached once.

Raster tilesets (`/tiles/raster/<name>/...`) come from `settings.GEOGRID_RASTERS` (served by `tiles.raster`).

The cache invalidation triggers (migration 0002) name these tilesets: a new tileset or a new source table
needs its triggers there too (tests/test_tiles.py checks that every source table has them).
"""
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tiles.coords import MVT_BUFFER, MVT_EXTENT


# CGCS2000 (EPSG:4490) and WGS 84 lon/lat differ by centimetres and PROJ converts between them with a null
# (ballpark) transformation, so CGCS2000 coordinates relabelled as EPSG:4326 give exactly the Web Mercator
# coordinates that a transform from 4490 gives (tests/test_tiles.py checks this on every grid). The detour
# matters on a fresh database connection: PROJ's first 4490 <-> 3857 look-ups in a backend cost about 220 ms
# against 25 ms for 4326 (measured here), and the development server opens a connection per request.
def to_mercator(geom_sql: str) -> str:
    """SQL: an EPSG:4490 geometry in Web Mercator (EPSG:3857)."""
    return f"ST_Transform(ST_SetSRID({geom_sql}, 4326), 3857)"


# The tile's envelope grown by the MVT buffer, in the data's own SRID: the index filter, the cache's envelope
# and the invalidation triggers' test. Parameters: z, x, y, margin.
ENVELOPE_SQL = "ST_SetSRID(ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326), 4490)"

# ST_Simplify tolerance in screen pixels of the tile (a pixel's width in metres at the tile's zoom times this):
# half a pixel changes nothing one can see, and a county-wide z8 tile shrinks to a few kilobytes.
SIMPLIFY_PX = 0.5
VECTOR_MAXZOOM = 20


@dataclass(frozen=True)
class Source:
    """One MVT layer of a tileset.

    `shape` decides what is done to the geometry before `ST_AsMVTGeom`: "polygon" and "line" are simplified
    with a tolerance tied to the tile's pixel size, "point" is only transformed, "label" puts one point on
    the surface of each polygon (for names drawn by the map).
    """

    name: str
    from_sql: str  # FROM clause: the table with its alias, and joins
    geom: str  # the geometry (EPSG:4490) that is tested against the tile and drawn
    attributes: str  # the few attributes the map needs
    where: str = "TRUE"  # may use the bound %(z)s
    scope_code: str | None = None  # SQL of the row's area code; None for public layers
    shape: str = "polygon"
    minzoom: int = 0
    index_filter: str | None = None  # an index-friendly `&&` test, when `geom` is an expression

    def sql(self) -> str:
        """One `ST_AsMVT` over the rows meeting the tile's envelope (`b.env`, EPSG:4490, with the buffer).

        The index filter is `&&` on the stored column in its own SRID; only the rows found are transformed
        to Web Mercator. `ST_Intersects` then keeps exactly the rows whose geometry meets the envelope: the
        invalidation triggers delete a cached tile on the same test, so the two always agree.
        """
        geometry = {
            "polygon": f"ST_Simplify({to_mercator(self.geom)}, %(tolerance)s)",
            "line": f"ST_Simplify({to_mercator(self.geom)}, %(tolerance)s)",
            "point": to_mercator(self.geom),
            "label": to_mercator(f"ST_PointOnSurface({self.geom})"),
        }[self.shape]
        index_filter = self.index_filter or f"{self.geom} && b.env"
        scope = "TRUE" if self.scope_code is None else f"(%(prefix)s = '' OR {self.scope_code} LIKE %(prefix_like)s)"
        # FILTER, not WHERE, drops features simplified or clipped away: a WHERE would be pushed down into
        # the scan and ST_AsMVTGeom computed twice.
        return f"""coalesce((
    SELECT ST_AsMVT(t, '{self.name}', {MVT_EXTENT}, 'geom') FILTER (WHERE t.geom IS NOT NULL) FROM (
        SELECT {self.attributes}, ST_AsMVTGeom({geometry}, b.env3857, {MVT_EXTENT}, {MVT_BUFFER}, true) AS geom
        FROM {self.from_sql} CROSS JOIN tile_bounds b
        WHERE {index_filter} AND ST_Intersects({self.geom}, b.env) AND ({self.where}) AND {scope}
    ) t), '')"""


@dataclass(frozen=True)
class Tileset:
    name: str
    label: str  # shown in the map's layer switcher
    sources: tuple[Source, ...]
    maxzoom: int = VECTOR_MAXZOOM
    # Department users see nothing of it: they see only the tickets routed to them, in their lists.
    areas_only: bool = False

    @property
    def minzoom(self) -> int:
        return min(s.minzoom for s in self.sources)

    @property
    def public(self) -> bool:
        """True when no source is scoped: one cached copy serves every user."""
        return all(s.scope_code is None for s in self.sources)

    def sources_at(self, z: int) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if z >= s.minzoom)


def _grid_sources(level: int, minzoom: int) -> tuple[Source, ...]:
    """A level's grid polygons and a label point per grid, with the grid's box size in Web Mercator metres
    (`w`, `h`) so the map shows a name only where the grid is drawn wide enough to hold it."""
    from_sql = "grids_grid g JOIN areas_area c ON c.id = g.community_id"
    where = f"g.generation_high_id IS NULL AND g.level = {int(level)}"
    box = to_mercator("ST_Envelope(g.geom)")
    return (
        Source("grids", from_sql, "g.geom", "g.id, g.code, g.name, g.level, g.kind, g.exclusive_type",
               where, "c.code", minzoom=minzoom),
        Source("grid_labels", from_sql, "g.geom",
               f"g.code, g.name, round(ST_XMax({box}) - ST_XMin({box})) AS w, "
               f"round(ST_YMax({box}) - ST_YMin({box})) AS h",
               where, "c.code", shape="label", minzoom=minzoom),
    )


ROAD_MINZOOM_SQL = ("%(z)s >= CASE r.kind WHEN 'primary' THEN 8 WHEN 'secondary' THEN 8 WHEN 'rural' THEN 11 "
                    "WHEN 'residential' THEN 13 ELSE 15 END")

TILESETS: dict[str, Tileset] = {t.name: t for t in (
    Tileset("basemap", "底图（道路、水系）", (
        Source("water", "roads_water w", "w.geom", "w.id, w.name", minzoom=8),
        Source("roads", "roads_road r", "r.geom", "r.id, r.name, r.kind", ROAD_MINZOOM_SQL, shape="line",
               minzoom=8),
    )),
    Tileset("buildings", "房屋", (
        Source("buildings", "buildings_building bl LEFT JOIN areas_area c ON c.id = bl.community_id",
               "coalesce(bl.footprint, bl.point)", "bl.id, bl.use, bl.floors", scope_code="c.code",
               minzoom=14,
               index_filter="(bl.footprint && b.env OR bl.point && b.env)"),
    )),
    Tileset("areas", "行政区划", (
        Source("areas", "areas_area a", "a.geom", "a.id, a.code, a.name, a.kind",
               "a.kind IN ('street', 'town', 'township', 'community', 'village')", "a.code", minzoom=8),
    )),
    Tileset("grids-1", "一级网格", _grid_sources(1, minzoom=8)),
    Tileset("grids-2", "二级网格", _grid_sources(2, minzoom=12)),
    Tileset("grids-3", "三级网格", _grid_sources(3, minzoom=14)),
    Tileset("business-grids", "业务网格", (
        # A department's grids belong to the department's area (as in the admin): a street's departments'
        # grids are seen by the street and the departments in it.
        Source("business_grids",
               "departments_businessgrid bg JOIN departments_department d ON d.id = bg.department_id "
               "JOIN areas_area da ON da.id = d.area_id",
               "bg.geom", "bg.id, bg.code, bg.name, d.code AS department, d.name AS department_name",
               "bg.generation_high_id IS NULL", "da.code", minzoom=10),
    )),
    Tileset("stations", "服务站点", (
        Source("stations", "stations_servicestation s LEFT JOIN areas_area c ON c.id = s.community_id",
               "s.point", "s.id, s.name, s.kind", scope_code="c.code", shape="point", minzoom=10),
    )),
    Tileset("events", "事件", (
        # A ticket is seen by whoever sees the community (or, outside every grid, the street) it was routed to;
        # no description (free text may name people), only what the map draws. `due` (Unix seconds) lets the
        # map mark open tickets overdue without the tile going stale as time passes.
        Source("events",
               "events_event e JOIN events_eventcategory ec ON ec.id = e.category_id "
               "LEFT JOIN areas_area c ON c.id = e.community_id LEFT JOIN areas_area s ON s.id = e.street_id",
               "e.location", "e.id, e.status, e.level, ec.name AS category, "
               "extract(epoch FROM e.due_at)::bigint AS due",
               where="e.location IS NOT NULL AND e.merged_into_id IS NULL",
               scope_code="coalesce(c.code, s.code)", shape="point", minzoom=12),
    ), areas_only=True),
)}


@dataclass(frozen=True)
class RasterSource:
    """A GeoTIFF served as PNG tiles. `style`: "hillshade" (a DEM in metres) or "rgb" (an orthophoto)."""

    name: str
    path: Path
    style: str
    label: str
    minzoom: int = 8
    maxzoom: int = 18
    options: dict = field(default_factory=dict, compare=False)


RASTER_STYLES = ("hillshade", "rgb")


def raster_sources() -> dict[str, RasterSource]:
    """`settings.GEOGRID_RASTERS` as RasterSources (read on each call so tests can override the setting)."""
    sources = {}
    for name, conf in getattr(settings, "GEOGRID_RASTERS", {}).items():
        if conf["style"] not in RASTER_STYLES:
            raise ValueError(f"GEOGRID_RASTERS[{name!r}]: unknown style {conf['style']!r}")
        known = {"path", "style", "label", "minzoom", "maxzoom"}
        sources[name] = RasterSource(
            name=name, path=Path(conf["path"]), style=conf["style"], label=conf.get("label", name),
            minzoom=conf.get("minzoom", 8), maxzoom=conf.get("maxzoom", 18),
            options={k: v for k, v in conf.items() if k not in known},
        )
    return sources
